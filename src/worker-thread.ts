/**
 * Starts a worker thread from a module next to the caller. Built code runs the compiled `.js`
 * file; from sources (tests, `npm run dev`) the `.ts` file runs through tsx's loader, which the
 * worker registers before importing it (Node 20 does not apply a parent's loader to workers).
 */
import { Worker, type WorkerOptions } from 'node:worker_threads';

export function startModuleWorker(name: string, callerUrl: string, options: WorkerOptions = {}): Worker {
  if (!callerUrl.endsWith('.ts')) return new Worker(new URL(`./${name}.js`, callerUrl), options);
  const loader = import.meta.resolve('tsx/esm/api');
  const entry = new URL(`./${name}.ts`, callerUrl).href;
  const boot = `const { register } = await import(${JSON.stringify(loader)}); register(); await import(${JSON.stringify(entry)});`;
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(boot)}`), options);
}
