/**
 * Lowers the CPU priority of the calling thread only. On a two-core machine a background thread
 * (clustering, a maintenance job's database writes) competes with the threads that answer
 * requests; at a higher nice value the kernel gives it the time those leave over. Linux keeps a
 * nice value per thread (setpriority with pid 0 is the caller's thread); elsewhere the same call
 * would lower the whole process, so it is skipped there.
 *
 * Raising a nice value needs no privilege, but a sandbox may still refuse it: the thread then
 * runs at normal priority.
 */
import { setPriority } from 'node:os';

export function lowerThreadPriority(nice: number): void {
  if (nice <= 0 || process.platform !== 'linux') return;
  try {
    setPriority(nice);
  } catch {
    // refused: normal priority
  }
}
