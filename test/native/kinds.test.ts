import { afterEach, describe, expect, it } from 'vitest'
import { testApp, type TestApp } from '../helpers/app.js'
import { TEST_STORE } from '../helpers/store.js'

let t: TestApp
afterEach(() => t?.close())

describe('containers', () => {
  it('creating -> running; stop -> stopping -> stopped; start -> running; delete -> gone', async () => {
    t = await testApp()
    const c = await t.call('POST', '/api/v1/containers', { name: 'w', image: 'ghcr.io/acme/worker:v1', command: ['run'], env: { A: '1' }, ports: [8080] })
    expect(c.status).toBe(202)
    expect(c.body).toMatchObject({ status: 'creating', started_at: null, ports: [8080], env: { A: '1' } })
    await t.advance(3_000)
    const running = (await t.call('GET', `/api/v1/containers/${c.body.id}`)).body
    expect(running.status).toBe('running')
    expect(running.started_at).toBe(running.updated_at)
    expect((await t.call('POST', `/api/v1/containers/${c.body.id}/stop`)).body.status).toBe('stopping')
    await t.advance(1_000)
    expect((await t.call('GET', `/api/v1/containers/${c.body.id}`)).body).toMatchObject({ status: 'stopped', exit_code: 0 })
    expect((await t.call('POST', `/api/v1/containers/${c.body.id}/stop`)).status).toBe(409)
    await t.call('POST', `/api/v1/containers/${c.body.id}/start`)
    await t.advance(1_000)
    expect((await t.call('GET', `/api/v1/containers/${c.body.id}`)).body.status).toBe('running')
    expect((await t.call('DELETE', `/api/v1/containers/${c.body.id}`)).body.status).toBe('deleting')
    await t.advance(1_000)
    expect((await t.call('GET', `/api/v1/containers/${c.body.id}`)).status).toBe(404)
  })
})

describe('security groups', () => {
  it('carry their rules, with Neutron-style default egress rules', async () => {
    t = await testApp()
    const sg = await t.call('POST', '/api/v1/security-groups', {
      name: 'web',
      description: 'http in',
      rules: [
        { direction: 'ingress', protocol: 'tcp', port_range_min: 80, port_range_max: 80, remote_ip_prefix: '0.0.0.0/0' },
        { direction: 'ingress', protocol: 'tcp', port_range_min: 443 },
        { direction: 'ingress', ethertype: 'IPv6', protocol: 'icmpv6', remote_ip_prefix: '::/0' },
      ],
    })
    expect(sg.status).toBe(201)
    const rules = sg.body.rules.map((r: Record<string, unknown>) => [r.direction, r.ethertype, r.protocol, r.port_range_min, r.port_range_max])
    expect(rules).toEqual([
      ['egress', 'IPv4', null, null, null],
      ['egress', 'IPv6', null, null, null],
      ['ingress', 'IPv4', 'tcp', 80, 80],
      ['ingress', 'IPv4', 'tcp', 443, 443],
      ['ingress', 'IPv6', 'icmpv6', null, null],
    ])
    expect((await t.call('GET', `/api/v1/security-groups/${sg.body.id}`)).body.rules).toHaveLength(5)
    const dup = await t.call('POST', '/api/v1/security-groups', { name: 'dup', rules: [{ direction: 'ingress', protocol: 'tcp', port_range_min: 22 }, { direction: 'ingress', protocol: 'tcp', port_range_min: 22 }] })
    expect(dup.status).toBe(409)
    expect((await t.call('GET', '/api/v1/security-groups?name=dup')).body.items).toEqual([])
    expect((await t.call('DELETE', `/api/v1/security-groups/${sg.body.id}`)).status).toBe(204)
    expect((await t.call('GET', `/api/v1/security-groups/${sg.body.id}`)).status).toBe(404)
  })
})

describe('DNS records', () => {
  it('are active at once, keep their values, and are unique per name and type', async () => {
    t = await testApp()
    const a = await t.call('POST', '/api/v1/dns-records', { name: 'API.Example.com.', type: 'a', value: '41.100.1.2', ttl: 300 })
    expect(a.status).toBe(201)
    expect(a.body).toMatchObject({ name: 'api.example.com', type: 'A', value: '41.100.1.2', records: ['41.100.1.2'], ttl: 300, status: 'active' })
    const mx = await t.call('POST', '/api/v1/dns-records', { name: 'example.com', type: 'MX', records: ['10 mail.example.com.', '20 backup.example.com.'] })
    expect(mx.body.records).toHaveLength(2)
    expect((await t.call('POST', '/api/v1/dns-records', { name: 'api.example.com', type: 'A', value: '41.100.1.3' })).status).toBe(409)
    expect((await t.call('POST', '/api/v1/dns-records', { name: 'api.example.com', type: 'AAAA', value: '2001:db8::1' })).status).toBe(201)
    expect((await t.call('DELETE', `/api/v1/dns-records/${a.body.id}`)).status).toBe(204)
  })
})

describe('documentation and health', () => {
  it('serves the OpenAPI 3 document, Swagger UI and /health', async () => {
    t = await testApp({ seed: 'docs' })
    const doc = (await t.call('GET', '/openapi.json')).body
    expect(doc.openapi).toMatch(/^3\./)
    for (const p of ['/api/v1/environments', '/api/v1/security-groups/{id}', '/api/v1/vms/{id}/reboot', '/api/v1/volumes/{id}/attach/{vm_id}', '/api/v1/floating-ips/{id}/detach', '/api/v1/dns-records', '/api/v1/containers/{id}/stop']) {
      expect(doc.paths, p).toHaveProperty([p])
    }
    expect(doc.paths['/api/v1/vms'].post.requestBody.content['application/json'].schema.required).toEqual(['name', 'environment_id'])
    const ui = await t.app.inject({ method: 'GET', url: '/docs/' })
    expect(ui.statusCode).toBe(200)
    expect(ui.body).toMatch(/swagger/i)
    // NOTE: the UI is loaded on the first request (src/server/swagger-ui.ts): its assets and document come through too.
    const css = await t.app.inject({ method: 'GET', url: '/docs/static/swagger-ui.css' })
    expect([css.statusCode, css.headers['content-type']]).toEqual([200, 'text/css; charset=utf-8'])
    expect(JSON.parse((await t.app.inject({ method: 'GET', url: '/docs/json' })).body).paths).toEqual(doc.paths)
    expect((await t.call('GET', '/health')).body).toMatchObject({ status: 'ok', store: TEST_STORE, clock: 'manual', profile: 'fast', seed: 'docs' })
  })
})
