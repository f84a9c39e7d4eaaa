/**
 * JSON over fetch for setup steps (populating, capturing fixtures), which
 * must fail loudly: a benchmark of 4xx answers would be meaningless.
 */
export async function requestJson<T>(method: 'GET' | 'POST', url: string, body?: unknown, expect: number[] = [200, 201, 202]): Promise<T> {
  const res = await fetch(url, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? null : JSON.stringify(body),
  })
  const text = await res.text()
  if (!expect.includes(res.status)) throw new Error(`${method} ${url}: ${res.status} ${text.slice(0, 500)}`)
  return JSON.parse(text) as T
}
