import { Command, Option } from 'commander'
import { controlRequest } from './control-client.js'
import { controlKeyOption, urlOption } from './options.js'

interface ResetOptions {
  url: string
  controlKey?: string
  project?: string
  scope?: string
}

/** `mockcloud reset`: POST /_mockcloud/reset on a running mockcloud. */
export function resetCommand(): Command {
  return new Command('reset')
    .description(
      "forget every resource of a running mockcloud (or one project's, or one scope's), with their addresses and pending transitions; seeded flavors, images and the public network stay, and a full reset also removes the fault rules and the event history",
    )
    .addOption(new Option('--project <project>', 'reset only this project').conflicts('scope'))
    .addOption(new Option('--scope <scope>', 'reset only this scope and those it holds: a project id, cluster:NAME, cluster:NAME/NAMESPACE, pool:NAME or domain:ID'))
    .addOption(urlOption())
    .addOption(controlKeyOption('send'))
    .action(async (opts: ResetOptions) => {
      const body = opts.project !== undefined ? { project: opts.project } : opts.scope !== undefined ? { scope: opts.scope } : {}
      const { removed } = await controlRequest<{ removed: number }>({ url: opts.url, controlKey: opts.controlKey }, 'POST', 'reset', body)
      const scope = opts.project !== undefined ? ` of project ${opts.project}` : opts.scope !== undefined ? ` of ${opts.scope}` : ''
      process.stdout.write(`removed ${removed} resource${removed === 1 ? '' : 's'}${scope} from ${opts.url}\n`)
    })
}
