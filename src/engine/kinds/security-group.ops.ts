import type { ResourceRecord } from '../../store/records.js'
import type { KindHooks } from '../define-kind.js'
import type { EngineTx } from '../engine-tx.js'
import { ConflictError } from '../errors.js'
import type { CreateSecurityGroupInput, SecurityGroupData } from './security-group.kind.js'
import { insertRule } from './security-group-rule.ops.js'

export const DEFAULT_GROUP = 'default'

export const securityGroupHooks: KindHooks<SecurityGroupData> = {
  async create(tx, project, raw) {
    const input = raw as unknown as CreateSecurityGroupInput
    if (input.name === DEFAULT_GROUP) {
      throw new ConflictError(`project ${project} already has its default security group`)
    }
    const group = await tx.create<SecurityGroupData>('network.security-group', {
      project,
      name: input.name,
      data: { description: input.description ?? '', stateful: true },
    })
    // NOTE: like Neutron, a new group lets all traffic out until told otherwise.
    await insertRule(tx, group, { direction: 'egress', ethertype: 'IPv4' }, 'rules[]')
    await insertRule(tx, group, { direction: 'egress', ethertype: 'IPv6' }, 'rules[]')
    for (const [i, rule] of (input.rules ?? []).entries()) await insertRule(tx, group, rule, `rules[${i}]`)
    return group
  },

  async beforeDelete(tx, group) {
    if (group.name === DEFAULT_GROUP) throw new ConflictError(`the default security group of project ${group.project} cannot be deleted`)
    const users = await tx.q.referrers(group.id, 'uses-security-group')
    if (users.length) throw new ConflictError(`security group ${group.id} is in use by ${users.length} server(s) (${users.slice(0, 3).join(', ')})`)
  },

  // NOTE: VMs find their project's default group by name, so that name stays with that one group (Neutron refuses both too).
  async beforeUpdate(_tx, group, change) {
    if (change.name === group.name) return
    if (group.name === DEFAULT_GROUP) throw new ConflictError(`the default security group of project ${group.project} cannot be renamed`)
    if (change.name === DEFAULT_GROUP) throw new ConflictError(`project ${group.project} already has its default security group; choose another name`)
  },

  async onGone(tx, group) {
    for (const rule of await tx.q.childrenOf(group.id, 'network.security-group-rule')) await tx.remove(rule, 'delete')
  },
}

/**
 * The project's `default` group, created on first use as Neutron does: all
 * traffic out, and in only from members of the same group.
 */
export async function ensureDefaultGroup(tx: EngineTx, project: string): Promise<ResourceRecord<SecurityGroupData>> {
  const find = async () => (await tx.q.findByName('network.security-group', [project], DEFAULT_GROUP))[0] as ResourceRecord<SecurityGroupData> | undefined
  // NOTE: once made it stays (it cannot be deleted), so only its making needs the lock; then look again.
  const existing = await find()
  if (existing) return existing
  await tx.lock(`default-security-group:${project}`)
  const made = await find()
  if (made) return made
  const group = await tx.create<SecurityGroupData>('network.security-group', {
    project,
    name: DEFAULT_GROUP,
    data: { description: 'Default security group', stateful: true },
  })
  for (const ethertype of ['IPv4', 'IPv6'] as const) {
    await insertRule(tx, group, { direction: 'egress', ethertype }, 'rules[]')
    await insertRule(tx, group, { direction: 'ingress', ethertype, remoteGroupId: group.id }, 'rules[]')
  }
  return group
}
