import { readFileSync } from 'node:fs'

export interface ReadmeBlock {
  name: string
  lang: string
  code: string
}

/**
 * The README's runnable examples: each fenced block right after a
 * `<!-- readme-test: NAME -->` marker, exactly as printed.
 */
export function readmeBlocks(path: string): Map<string, ReadmeBlock> {
  const text = readFileSync(path, 'utf8')
  const blocks = new Map<string, ReadmeBlock>()
  for (const m of text.matchAll(/<!-- readme-test: ([\w-]+) -->\n```(\w+)\n([\s\S]*?)\n```/g)) {
    const [, name, lang, code] = m
    if (blocks.has(name!)) throw new Error(`README has two blocks named ${name}`)
    blocks.set(name!, { name: name!, lang: lang!, code: code! })
  }
  const markers = text.match(/<!-- readme-test:/g)?.length ?? 0
  if (markers !== blocks.size) throw new Error(`README has ${markers} readme-test markers but ${blocks.size} parse: a marker must sit right above its fenced block`)
  return blocks
}
