// The iptables rules of a NAT router, as `iptables-restore` input and rule specs. Pure text.
import { FORWARD_CHAIN, IF_LAN, IF_WAN } from './constants.js'
import type { NatKind } from './types.js'

/**
 * The router's whole ruleset. Filtering is what makes it a NAT and not just a router:
 * - FORWARD drops by default; the LAN may go out, and from the WAN only replies to flows the
 *   LAN opened (conntrack ESTABLISHED, which is address- and port-restricted) come in.
 * - Flows that a port forward DNATed are admitted only while a rule for that forward sits in
 *   NETLAB-FWD, so removing the forward cuts them at once, conntrack entries or not.
 * - New inbound packets to the router itself are dropped silently, as home routers do (OpenWrt
 *   rejects; that works alike). Stopping them in the filter matters for hole punching: such a
 *   packet leaves no conntrack entry, whereas one accepted (a router without a firewall) leaves
 *   an entry that makes Linux remap the LAN host's own later packet to that remote onto another
 *   port, and the punch fails (checked: without this rule the lab's punching tests fail).
 */
export function routerRuleset (nat: NatKind): string {
  const masquerade = nat === 'random-fully' ? 'MASQUERADE --random-fully' : 'MASQUERADE'
  return [
    '*filter',
    ':INPUT ACCEPT [0:0]',
    ':FORWARD DROP [0:0]',
    ':OUTPUT ACCEPT [0:0]',
    `:${FORWARD_CHAIN} - [0:0]`,
    `-A INPUT -i ${IF_WAN} -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT`,
    `-A INPUT -i ${IF_WAN} -j DROP`,
    `-A FORWARD -i ${IF_LAN} -o ${IF_LAN} -j ACCEPT`,
    `-A FORWARD -i ${IF_LAN} -o ${IF_WAN} -j ACCEPT`,
    `-A FORWARD -i ${IF_WAN} -o ${IF_LAN} -m conntrack --ctstate DNAT -j ${FORWARD_CHAIN}`,
    `-A FORWARD -i ${IF_WAN} -o ${IF_LAN} -m conntrack --ctstate DNAT -j DROP`,
    `-A FORWARD -i ${IF_WAN} -o ${IF_LAN} -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT`,
    'COMMIT',
    '*nat',
    ':PREROUTING ACCEPT [0:0]',
    ':INPUT ACCEPT [0:0]',
    ':OUTPUT ACCEPT [0:0]',
    ':POSTROUTING ACCEPT [0:0]',
    `-A POSTROUTING -o ${IF_WAN} -j ${masquerade}`,
    'COMMIT',
    ''
  ].join('\n')
}

export interface ForwardSpec {
  proto: 'udp' | 'tcp'
  port: number
  toAddress: string
  toPort: number
}

/** The DNAT rule of a port forward (table nat, chain PREROUTING), without -A/-D. */
export function dnatRule (spec: ForwardSpec): string[] {
  return ['PREROUTING', '-i', IF_WAN, '-p', spec.proto, '--dport', String(spec.port),
    '-j', 'DNAT', '--to-destination', `${spec.toAddress}:${spec.toPort}`]
}

/** The rule that admits the forward's flows (table filter, chain NETLAB-FWD), without -A/-D. */
export function admitRule (spec: ForwardSpec): string[] {
  return [FORWARD_CHAIN, '-p', spec.proto, '-d', spec.toAddress, '--dport', String(spec.toPort),
    '-m', 'conntrack', '--ctorigdstport', String(spec.port), '-j', 'ACCEPT']
}

/**
 * Per-namespace sysctls as one shell script (procps' `sysctl` is not in every image). A key
 * that does not exist here (br_netfilter not loaded) is skipped.
 */
export function sysctlScript (values: Record<string, string | number>): string {
  return Object.entries(values)
    .map(([key, value]) => {
      const path = `/proc/sys/${key.replaceAll('.', '/')}`
      return `if [ -e ${path} ]; then echo ${value} > ${path}; fi`
    })
    .join('\n')
}
