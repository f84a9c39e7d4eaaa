import type { KindDef } from '../define-kind.js'
import { KindRegistry } from '../registry.js'
import { containerKind } from './container.kind.js'
import { dnsRecordKind } from './dns-record.kind.js'
import { flavorKind } from './flavor.kind.js'
import { floatingIpKind } from './floating-ip.kind.js'
import { credentialKind } from './identity-credential.kind.js'
import { domainKind } from './identity-domain.kind.js'
import { identityProjectKind } from './identity-project.kind.js'
import { roleAssignmentKind } from './identity-role-assignment.kind.js'
import { roleKind } from './identity-role.kind.js'
import { tokenKind } from './identity-token.kind.js'
import { userKind } from './identity-user.kind.js'
import { imageKind } from './image.kind.js'
import { networkKind } from './network.kind.js'
import { podKind } from './pod.kind.js'
import { poolKind } from './pool.kind.js'
import { portKind } from './port.kind.js'
import { securityGroupRuleKind } from './security-group-rule.kind.js'
import { securityGroupKind } from './security-group.kind.js'
import { serverKind } from './server.kind.js'
import { subnetKind } from './subnet.kind.js'
import { volumeKind } from './volume.kind.js'

/** Every kind mockcloud emulates, declared once each. */
export const ALL_KINDS: ReadonlyArray<KindDef<never>> = [
  flavorKind,
  imageKind,
  networkKind,
  subnetKind,
  portKind,
  securityGroupKind,
  securityGroupRuleKind,
  floatingIpKind,
  serverKind,
  volumeKind,
  dnsRecordKind,
  containerKind,
  poolKind,
  podKind,
  domainKind,
  identityProjectKind,
  userKind,
  roleKind,
  roleAssignmentKind,
  credentialKind,
  tokenKind,
] as unknown as ReadonlyArray<KindDef<never>>

export function defaultRegistry(): KindRegistry {
  return new KindRegistry(ALL_KINDS)
}
