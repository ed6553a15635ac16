/** Shared by the test harnesses that start real servers (Postgres, Redis) on loopback. */
import { createServer } from 'node:net';

/** A free TCP port on 127.0.0.1 (released before returning: the caller binds it next). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/**
 * A server binary is missing: locally the tests skip with a loud message (returns undefined);
 * under CI=true that is a failure, because .ci/run installs the package.
 */
export function serverMissing(what: string, debianPackage: string, tests: string): undefined {
  const msg = `${what} not found: install the Debian package \`${debianPackage}\`. ${tests} tests are SKIPPED.`;
  if (process.env.CI === 'true') throw new Error(`${msg} In CI this is a failure.`);
  console.warn(`\n!!!!!!!!\n!!! ${msg}\n!!!!!!!!\n`);
  return undefined;
}
