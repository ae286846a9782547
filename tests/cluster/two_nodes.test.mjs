// Issue 7's several nodes, proven on loopback: PostgreSQL (the CTest
// fixture's throw-away cluster), two `vigie serve` nodes on it, and HAProxy
// in front (TCP, round robin, a connection per request, the PROXY protocol
// naming each client to the nodes). Logins and
// searches cross the nodes; a revocation, a containment or a DPoP proof on
// one node holds on the other at once; a sweep split between the nodes is
// judged whole by detection; an address's refused credentials spend one
// bucket on both; records imported once are found on both nodes without a
// restart; one node is killed under load and the clients retry on the
// other: every consultation a client received is in the one audit log,
// which verifies. On loopback the addresses tell who is who: HAProxy
// reaches the nodes from 127.0.0.3 (the only balancer they trust), the load
// clients leave from 127.0.0.2, the others from 127.0.0.1 (one test from
// 127.0.0.5).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { BACKEND } from '../integration/api/databases.mjs';
import { createInstallation, startServer, activeClient, request, Client, DpopKey, setConfig } from '../integration/api/harness.mjs';

if (BACKEND !== 'postgres') throw new Error('the two-node test runs on the PostgreSQL pass only');

// An activation code works once: each test has agents of its own, except
// the load agents, activated once and shared by the first and last tests.
const OFFICER = 'SEC-1';
const SWEEP_OFFICER = 'SEC-2';
const LOAD = ['LOAD-1', 'LOAD-2', 'LOAD-3', 'LOAD-4'];
const OTHERS = ['REV-1', 'CON-1', 'RPL-1', 'SWP-1', 'IMP-1'];
const BALANCER = '127.0.0.3';
const LOAD_CLIENTS = '127.0.0.2';
let installation, nodeA, nodeB, haproxy, lb, direct;
let loadClients = [];

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

// The second node: the same configuration and key file, its own node id
// (and so its own witness file beside it).
function secondNode(data) {
  const other = `${data}-b`;
  cpSync(data, other, { recursive: true });
  const file = join(other, 'vigie.toml');
  writeFileSync(file, setConfig(readFileSync(file, 'utf8'), 'audit', 'node_id', 'node-b'));
  return { ...installation, data: other };
}

async function startHaproxy(port, backends) {
  const config = join(installation.dir, 'haproxy.cfg');
  writeFileSync(config, [
    'global', '  maxconn 512',
    'defaults', '  mode tcp', '  timeout connect 1s', '  timeout client 30s', '  timeout server 30s',
    '  retries 3', '  option redispatch',
    'frontend portal', `  bind 127.0.0.1:${port}`, '  default_backend nodes',
    'backend nodes', '  balance roundrobin',
    // Health checks carry a PROXY header too (version 2's LOCAL command).
    ...backends.map(([name, p]) => `  server ${name} 127.0.0.1:${p} check inter 200 fall 1 rise 2 send-proxy-v2 source ${BALANCER}`),
    ''].join('\n'));
  const child = spawn(process.env.VIGIE_HAPROXY ?? 'haproxy', ['-db', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  // Ready once it accepts connections.
  for (let i = 0; i < 100; ++i) {
    if (child.exitCode !== null) throw new Error(`haproxy exited: ${stderr}`);
    try {
      await request({ url: `https://localhost:${port}`, ca: nodeA.ca }, 'GET', '/healthz');
      return child;
    } catch { await new Promise((r) => setTimeout(r, 100)); }
  }
  throw new Error(`haproxy did not come up: ${stderr}`);
}

before(async () => {
  const lbPort = await freePort();
  const publicUrl = `https://localhost:${lbPort}`;
  installation = createInstallation({
    persons: 2000,
    agents: [{ service_number: OFFICER, name: 'Officier', roles: ['security_officer'] },
             { service_number: SWEEP_OFFICER, name: 'Officière', roles: ['security_officer'] },
             ...[...LOAD, ...OTHERS].map((service_number) => ({ service_number, name: `Agent ${service_number}`, roles: ['agent'] }))],
    config: {
      server: { public_url: publicUrl, proxy_protocol_from: [BALANCER] },
      audit: { node_id: 'node-a' },
      auth: { address_attempts_per_minute: 100000 },
      quota: { searches_per_hour: 1000000, searches_per_day: 10000000 },
      // Load from four agents: judged, alerted on, never suspended mid-test.
      detect: { query_rate_action: 'alert', distinct_persons_action: 'alert', enumeration_action: 'alert' },
    },
  });
  const b = secondNode(installation.data);
  // Both print the public URL: their own ports are chosen here.
  const ports = { a: await freePort(), b: await freePort() };
  nodeA = await startServer(installation, { port: ports.a });
  nodeB = await startServer(b, { port: ports.b });
  haproxy = await startHaproxy(lbPort, [['a', ports.a], ['b', ports.b]]);
  lb = { url: publicUrl, ca: nodeA.ca };
  // Straight to one node, with proofs naming the portal's public URL.
  direct = {
    a: { url: `https://localhost:${ports.a}`, ca: nodeA.ca, publicUrl },
    b: { url: `https://localhost:${ports.b}`, ca: nodeB.ca, publicUrl },
  };
});

after(async () => {
  haproxy?.kill('SIGTERM');
  await nodeA?.stop();
  await nodeB?.stop();
  installation?.remove();
});

const search = (client, person) => client.call('POST', '/api/v1/search', {
  purpose: 'identity_check', surname: person.surname, given_name: person.given_names[0] });

test('logins and searches through the load balancer land on both nodes, in one log', async () => {
  for (const name of LOAD) {
    const client = await activeClient(lb, installation, name);
    client.localAddress = LOAD_CLIENTS;
    loadClients.push(client);
  }
  for (let i = 0; i < 12; ++i) {
    assert.equal((await search(loadClients[i % loadClients.length], installation.firstPerson)).status, 200);
  }
  const served = (node) => node.accessLog.filter((l) => JSON.parse(l).route === '/api/v1/search').length;
  assert.ok(served(nodeA) > 0 && served(nodeB) > 0,
            `both nodes answered searches (a: ${served(nodeA)}, b: ${served(nodeB)})`);
  const searches = installation.vigie('audit', 'search', '--type', 'search').trim().split('\n')
    .map((line) => JSON.parse(line));
  const nodes = new Set(searches.map((event) => event.node));
  assert.deepEqual([...nodes].sort(), ['node-a', 'node-b'], 'one log holds both nodes\' events');
  // The balancer named each client: the log has the clients' address, never its own.
  assert.deepEqual([...new Set(searches.map((event) => event.source_address))], [LOAD_CLIENTS]);
});

test('a session ended on one node is dead on the other at its next request', async () => {
  const client = await activeClient(lb, installation, 'REV-1');
  client.server = direct.a;
  assert.equal((await client.call('GET', '/api/v1/self')).status, 200);
  client.server = direct.b;
  assert.equal((await client.call('GET', '/api/v1/self')).status, 200, 'a session serves on every node');
  client.server = direct.a;
  assert.equal((await client.call('POST', '/api/v1/auth/logout')).status, 204);
  client.server = direct.b;
  assert.equal((await client.call('GET', '/api/v1/self')).status, 401);
  assert.equal((await client.refresh()).status, 401);
});

test('a containment on one node bars the agent on the other at once, and its release too', async () => {
  const officer = await activeClient(lb, installation, OFFICER);
  const agent = await activeClient(lb, installation, 'CON-1');
  officer.server = direct.a;
  agent.server = direct.b;
  assert.equal((await search(agent, installation.firstPerson)).status, 200);
  const contained = await officer.call('POST', '/api/v1/incidents', {
    agents: ['CON-1'], reason: 'two-node test: containment across nodes' });
  assert.equal(contained.status, 201, contained.body);
  assert.equal((await search(agent, installation.firstPerson)).status, 401);
  officer.server = direct.b;
  const released = await officer.call('POST', `/api/v1/incidents/${contained.json.id}/release`, {});
  assert.equal(released.status, 200, released.body);
});

test('a DPoP proof accepted by one node is refused when replayed on the other', async () => {
  const client = await activeClient(lb, installation, 'RPL-1');
  const path = '/api/v1/self';
  const headers = { Authorization: `DPoP ${client.access}`,
                    DPoP: await client.key.proof('GET', client.url(path), client.access) };
  assert.equal((await request(direct.a, 'GET', path, { headers })).status, 200);
  const replayed = await request(direct.b, 'GET', path, { headers });
  assert.equal(replayed.status, 401, replayed.body);
  // The session itself is good on that node: only the proof was spent.
  client.server = direct.b;
  assert.equal((await client.call('GET', path)).status, 200);
});

test('a sweep split between the nodes is judged whole: each node counts the other\'s searches', async () => {
  const officer = await activeClient(lb, installation, SWEEP_OFFICER);
  const agent = await activeClient(lb, installation, 'SWP-1');
  // 40 searches in a minute, 20 on each node: over the query-rate threshold
  // (30 a minute) only when both halves are counted.
  const rate = 30;
  for (let i = 0; i < 40; ++i) {
    agent.server = i % 2 === 0 ? direct.a : direct.b;
    assert.equal((await search(agent, installation.firstPerson)).status, 200);
  }
  let alerts = [];
  for (let tries = 0; tries < 30 && alerts.length === 0; ++tries) {
    const r = await officer.call('POST', '/api/v1/alerts/search', { status: 'all' });
    assert.equal(r.status, 200, r.body);
    alerts = r.json.alerts.filter((a) => a.service_number === 'SWP-1' && a.rule === 'query_rate');
    if (alerts.length === 0) await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(alerts.length > 0, 'the query-rate alert was raised');
  // Raised by the search that took the whole past the threshold, which
  // neither node's half reaches.
  const searches = installation.vigie('audit', 'search', '--type', 'search').trim().split('\n')
    .map((line) => JSON.parse(line)).filter((e) => e.service_number === 'SWP-1');
  const first = Math.min(...alerts.map((a) => a.event_sequence));
  const firing = searches.findIndex((e) => e.sequence === first);
  assert.ok(firing >= rate && firing < 40, `fired at the sweep's search ${firing + 1}`);
});

test('an address\'s refused credentials spend one bucket, whichever node hears them', async () => {
  const path = '/api/v1/auth/refresh';
  const stranger = await DpopKey.create();
  // From an address of its own: other tests' refused refreshes leave from 127.0.0.1.
  const send = async (node) => request(direct[node], 'POST', path, {
    headers: { DPoP: await stranger.proof('POST', new URL(path, direct[node].publicUrl).toString()) },
    body: { refresh_token: 'not-a-token' }, localAddress: '127.0.0.5' });
  // The bucket holds 30: per node, each would still hold 15.
  for (let i = 0; i < 30; ++i) assert.equal((await send(i % 2 ? 'a' : 'b')).status, 401, `refusal ${i}`);
  assert.equal((await send('a')).status, 429);
  assert.equal((await send('b')).status, 429);
});

test('records imported once are found on both nodes without a restart', async () => {
  const agent = await activeClient(lb, installation, 'IMP-1');
  const person = { surname: 'Kerguélen', given_names: ['Maëlys'] };
  const file = join(installation.dir, 'later.jsonl');
  writeFileSync(file, [
    { kind: 'person', id: 'LATE-1', surname: person.surname, given_names: person.given_names,
      birth_date: '1991-07-08' },
    { kind: 'wanted_notice', id: 'LATE-W1', person_id: 'LATE-1', reason: 'escapee',
      issuing_authority: 'Parquet de Brest', reference: 'B-2026-3', valid_from: '2025-01-01',
      conduct: 'arrest' },
  ].map((line) => JSON.stringify(line)).join('\n') + '\n');
  installation.vigie('import', file);
  for (const node of ['a', 'b']) {
    agent.server = direct[node];
    let found = 0;
    // Once a second: a few misses stay below every detection rule.
    for (const deadline = Date.now() + 20000; found === 0 && Date.now() < deadline;) {
      const r = await search(agent, person);
      assert.equal(r.status, 200, r.body);
      found = r.json.results.length;
      if (found === 0) await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    assert.equal(found, 1, `node ${node} finds the imported person`);
  }
});

test('a node killed under load: clients retry on the other, and no answered consultation is missing', async () => {
  const clients = loadClients;
  assert.equal(clients.length, LOAD.length, 'the first test activated the load agents');
  const before = Number(installation.databases.auditSql('SELECT count(*) FROM audit_event WHERE type = 32'));
  let answered = 0, retried = 0, running = true;
  const load = clients.map(async (client) => {
    while (running) {
      let r;
      try {
        r = await search(client, installation.firstPerson);
      } catch {  // the connection died with its node: the client tries again
        ++retried;
        continue;
      }
      if (r.status === 200) ++answered;
      else if (r.status === 503) ++retried;  // refused, nothing shown: try again
      else throw new Error(`search refused under load: ${r.status} ${r.body}`);
    }
  });
  await new Promise((resolve) => setTimeout(resolve, 1500));
  nodeA.child.kill('SIGKILL');
  const answeredAtKill = answered;
  await new Promise((resolve) => setTimeout(resolve, 2500));
  running = false;
  await Promise.all(load);
  assert.ok(answeredAtKill > 10, `load ran before the kill (${answeredAtKill} answered)`);
  assert.ok(answered > answeredAtKill + 10,
            `the surviving node carried on (${answered - answeredAtKill} answered after the kill, ${retried} retries)`);

  const logged = Number(installation.databases.auditSql('SELECT count(*) FROM audit_event WHERE type = 32')) - before;
  assert.ok(logged >= answered, `${answered} searches answered, ${logged} in the log`);
  const verified = spawnSync(process.env.VIGIE_BINARY, ['--data-dir', installation.data, 'audit', 'verify', '--json'],
                             { encoding: 'utf8' });
  assert.equal(verified.status, 0, verified.stdout + verified.stderr);
  assert.equal(JSON.parse(verified.stdout).ok, true);
});
