import { readFile } from 'node:fs/promises'

/**
 * Resident set size of another process in KiB, from /proc/<pid>/status
 * (VmRSS). Read from outside so measuring does not disturb the server.
 * Linux only; null elsewhere or if the process is gone.
 */
export async function rssKiB(pid: number): Promise<number | null> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8')
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)
    return m ? Number(m[1]) : null
  } catch {
    return null
  }
}
