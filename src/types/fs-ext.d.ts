/** The part of fs-ext (a native flock(2) binding) that DirectoryLock uses; the package ships no types. */
declare module 'fs-ext' {
  /** `exnb`: exclusive, non-blocking; `un`: unlock. Throws an errno error (EAGAIN/EWOULDBLOCK when held). */
  export function flockSync(fd: number, flags: 'sh' | 'ex' | 'shnb' | 'exnb' | 'un'): void;
  const fsExt: { flockSync: typeof flockSync };
  export default fsExt;
}
