import { describe, expect, it } from 'vitest'
import { admitRule, dnatRule, routerRuleset, sysctlScript } from './rules.js'

describe('router rules', () => {
  it('masquerades out of the WAN, randomly per flow for random-fully', () => {
    expect(routerRuleset('masquerade')).toContain('-A POSTROUTING -o wan -j MASQUERADE\n')
    expect(routerRuleset('random-fully')).toContain('-A POSTROUTING -o wan -j MASQUERADE --random-fully\n')
  })

  it('drops by default and admits DNATed flows only through the forward chain', () => {
    const rules = routerRuleset('masquerade').split('\n')
    expect(rules).toContain(':FORWARD DROP [0:0]')
    const gate = rules.indexOf('-A FORWARD -i wan -o lan -m conntrack --ctstate DNAT -j NETLAB-FWD')
    const drop = rules.indexOf('-A FORWARD -i wan -o lan -m conntrack --ctstate DNAT -j DROP')
    const established = rules.indexOf('-A FORWARD -i wan -o lan -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT')
    // Order matters: a removed forward's flows must hit the DROP before the ESTABLISHED accept.
    expect(gate).toBeGreaterThan(-1)
    expect(gate).toBeLessThan(drop)
    expect(drop).toBeLessThan(established)
    expect(rules).toContain('-A INPUT -i wan -j DROP')
  })

  it('builds matching DNAT and admit rules for a forward', () => {
    const spec = { proto: 'udp' as const, port: 7000, toAddress: '192.168.1.2', toPort: 40000 }
    expect(dnatRule(spec).join(' ')).toBe('PREROUTING -i wan -p udp --dport 7000 -j DNAT --to-destination 192.168.1.2:40000')
    expect(admitRule(spec).join(' ')).toBe('NETLAB-FWD -p udp -d 192.168.1.2 --dport 40000 -m conntrack --ctorigdstport 7000 -j ACCEPT')
  })

  it('writes sysctls under /proc/sys, skipping absent keys', () => {
    expect(sysctlScript({ 'net.ipv4.ip_forward': 1 }))
      .toBe('if [ -e /proc/sys/net/ipv4/ip_forward ]; then echo 1 > /proc/sys/net/ipv4/ip_forward; fi')
  })
})
