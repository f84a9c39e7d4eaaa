import { describe, expect, it } from 'vitest'
import { formatIpv4, hostRange, overlaps, parseCidr, parseIpv4 } from './ipv4.js'

describe('ipv4', () => {
  it('parses and formats addresses and CIDRs', () => {
    expect(formatIpv4(parseIpv4('10.20.30.40')!)).toBe('10.20.30.40')
    expect(parseIpv4('256.1.1.1')).toBeUndefined()
    expect(parseCidr('10.3.0.0/16')).toMatchObject({ prefix: 16, size: 65_536, text: '10.3.0.0/16' })
    expect(parseCidr('10.3.0.1/16')).toBeUndefined() // host bits set
    expect(parseCidr('10.3.0.0/33')).toBeUndefined()
  })

  it('keeps the network, gateway and broadcast addresses out of the host range', () => {
    const r = hostRange(parseCidr('192.168.1.0/29')!)
    expect([formatIpv4(r.gateway), formatIpv4(r.first), formatIpv4(r.last)]).toEqual(['192.168.1.1', '192.168.1.2', '192.168.1.6'])
  })

  it('detects overlap', () => {
    expect(overlaps(parseCidr('10.0.0.0/16')!, parseCidr('10.0.128.0/24')!)).toBe(true)
    expect(overlaps(parseCidr('10.0.0.0/16')!, parseCidr('10.1.0.0/16')!)).toBe(false)
  })
})
