import { ValidationError } from './errors.js'

/**
 * One requirement of a label selector, as Kubernetes defines them: `app=web`
 * (`=`, also `==`), `tier!=db` (true too where the label is missing),
 * `env in (a,b)`, `env notin (a,b)` (true too where missing), `app` (the
 * label exists), `!app` (it does not).
 */
export type LabelRequirement =
  | { key: string; op: '=' | '!='; value: string }
  | { key: string; op: 'in' | 'notin'; values: string[] }
  | { key: string; op: 'exists' | '!exists' }

/** A label key: an optional DNS-subdomain prefix and `/`, then a name of up to 63 characters. */
export const LABEL_KEY = /^(?:[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/
/** A label value: empty, or up to 63 characters, starting and ending alphanumeric. */
export const LABEL_VALUE = /^(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/

/**
 * Reads a label selector in Kubernetes' syntax (`app=web,tier!=db,env in
 * (prod,staging),!legacy`) into requirements, all of which must hold; an
 * empty selector selects everything. A ValidationError names `field` and
 * the part that is wrong.
 *
 * @example
 * parseLabelSelector('app=web,env in (a,b)') // [{ key: 'app', op: '=', value: 'web' }, { key: 'env', op: 'in', values: ['a', 'b'] }]
 */
export function parseLabelSelector(text: string, field = 'labelSelector'): LabelRequirement[] {
  const out: LabelRequirement[] = []
  for (const part of splitRequirements(text, field)) {
    const bad = (why: string) => new ValidationError(field, `${field}: '${part.slice(0, 100)}' ${why}`)
    const set = /^([^\s!=(),]+)\s+(in|notin)\s+\(([^()]*)\)$/.exec(part)
    const cmp = /^([^\s!=(),]+)\s*(==|=|!=)\s*([^\s!=(),]*)$/.exec(part)
    const has = /^(!?)\s*([^\s!=(),]+)$/.exec(part)
    let req: LabelRequirement
    if (set) {
      const values = set[3]!.split(',').map((v) => v.trim())
      if (values.length === 1 && values[0] === '') throw bad('needs at least one value in its parentheses')
      req = { key: set[1]!, op: set[2] as 'in' | 'notin', values }
    } else if (cmp) {
      req = { key: cmp[1]!, op: cmp[2] === '!=' ? '!=' : '=', value: cmp[3]! }
    } else if (has) {
      req = { key: has[2]!, op: has[1] ? '!exists' : 'exists' }
    } else {
      throw bad('is not a requirement (key=value, key!=value, key in (a,b), key notin (a,b), key or !key)')
    }
    if (!LABEL_KEY.test(req.key)) throw bad(`has '${req.key.slice(0, 80)}', which is not a label key`)
    for (const v of 'value' in req ? [req.value] : 'values' in req ? req.values : []) {
      if (!LABEL_VALUE.test(v)) throw bad(`has '${v.slice(0, 80)}', which is not a label value`)
    }
    out.push(req)
  }
  return out
}

/** The requirements of a selector: split on the commas that are not inside parentheses. */
function splitRequirements(text: string, field: string): string[] {
  const parts: string[] = []
  let depth = 0
  let start = 0
  for (let i = 0; i <= text.length; i++) {
    const c = text[i]
    if (c === '(') depth++
    else if (c === ')') depth--
    if (depth < 0 || depth > 1) throw new ValidationError(field, `${field}: its parentheses do not pair up`)
    if ((c === ',' && depth === 0) || i === text.length) {
      const part = text.slice(start, i).trim()
      if (part !== '') parts.push(part)
      else if (text.trim() !== '') throw new ValidationError(field, `${field}: has an empty requirement (two commas, or one at an end)`)
      start = i + 1
    }
  }
  if (depth !== 0) throw new ValidationError(field, `${field}: its parentheses do not pair up`)
  return parts
}

/** Whether a resource's labels meet every requirement (what the store's query does, for events watched live). */
export function labelsMatch(labels: Readonly<Record<string, string>> | undefined, requirements: readonly LabelRequirement[]): boolean {
  return requirements.every((r) => {
    const v = labels?.[r.key]
    switch (r.op) {
      case '=':
        return v === r.value
      case '!=':
        return v !== r.value
      case 'in':
        return v !== undefined && r.values.includes(v)
      case 'notin':
        return v === undefined || !r.values.includes(v)
      case 'exists':
        return v !== undefined
      case '!exists':
        return v === undefined
    }
  })
}
