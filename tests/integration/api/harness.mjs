// A throw-away Vigie installation served by the real `vigie serve` binary,
// and a client independent of Vigie's code: Node's own TLS and HTTP, DPoP
// proofs signed by jose, TOTP codes from oathtool.
import { spawn, execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import https from 'node:https';
import http from 'node:http';
import { createHash, randomUUID } from 'node:crypto';
import { createDatabases } from './databases.mjs';
import { exportJWK, calculateJwkThumbprint, SignJWT, base64url } from 'jose';
import { freshEs256KeyPair } from '../../clients/key-pair.mjs';

export const VIGIE = process.env.VIGIE_BINARY;
if (!VIGIE) throw new Error('set VIGIE_BINARY to the vigie executable');

function run(args) {
  return execFileSync(VIGIE, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

// Sets `key = value` inside [section] of a TOML text written by `vigie init`.
export function setConfig(text, section, key, value) {
  const start = text.indexOf(`[${section}]`);
  if (start < 0) throw new Error(`no [${section}]`);
  const re = new RegExp(`^${key} = .*$`, 'm');
  const tail = text.slice(start);
  if (!re.test(tail)) throw new Error(`no ${section}.${key}`);
  return text.slice(0, start) + tail.replace(re, `${key} = ${JSON.stringify(value)}`);
}

// `vigie generate --seed 7` of `persons` persons, generated once per test
// process (the same seed gives the same file) and copied into `dir`.
const populations = new Map();
let populationsDir;
function generatePopulation(persons, dir) {
  if (!populations.has(persons)) {
    if (!populationsDir) {
      populationsDir = mkdtempSync(join(tmpdir(), 'vigie-populations-'));
      process.on('exit', () => rmSync(populationsDir, { recursive: true, force: true }));
    }
    const file = join(populationsDir, `${persons}.jsonl`);
    run(['generate', '--persons', String(persons), '--seed', '7', '--out', file]);
    populations.set(persons, file);
  }
  copyFileSync(populations.get(persons), join(dir, 'p.jsonl'));
}

// Creates an installation with `persons` synthetic persons, a unit, and the
// given agents; returns their activation codes. `config` overrides settings:
// { section: { key: value } }.
export function createInstallation({ persons = 3000, config = {}, agents = [] } = {}) {
  const { dir, data, databases, remove } = createEmptyInstallation(config);
  generatePopulation(persons, dir);
  run(['--data-dir', data, 'import', join(dir, 'p.jsonl')]);
  run(['--data-dir', data, 'unit', 'add', '--code', 'PN-75', '--name', 'Commissariat Paris 7e',
       '--kind', 'police']);
  const codes = {};
  for (const a of agents) {
    const out = run(['--data-dir', data, 'agent', 'add', '--service-number', a.service_number,
                     '--name', a.name, '--unit', 'PN-75', ...a.roles.flatMap((r) => ['--role', r])]);
    codes[a.service_number] = activationCodeIn(out);
  }
  const lines = readFileSync(join(dir, 'p.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const firstPerson = lines[0];
  const wantedPerson = wantedToday(lines)[0];
  // A person with record entries and no notice in force: investigators on
  // an inquiry find them, agents must not.
  const wanted = new Set(wantedToday(lines).map((l) => l.id));
  const withEntries = new Set(lines.filter((l) => l.kind === 'record_entry').map((l) => l.person_id));
  const notWantedPerson = lines.find((l) => l.kind === 'person' && withEntries.has(l.id) && !wanted.has(l.id));
  return { dir, data, codes, firstPerson, wantedPerson, notWantedPerson, databases,
           vigie: (...args) => run(['--data-dir', data, ...args]), remove };
}

// The persons of a generated file (its parsed lines) named in a wanted
// notice in force today: the only ones an agent's search may find.
export function wantedToday(lines, today = new Date().toISOString().slice(0, 10)) {
  const wanted = new Set(lines.filter((l) => l.kind === 'wanted_notice' && l.valid_from <= today &&
                                             (!l.valid_until || l.valid_until >= today))
                              .map((l) => l.person_id));
  return lines.filter((l) => l.kind === 'person' && wanted.has(l.id));
}

// `vigie init` only, on the suite's backend (databases.mjs), with `config`
// overrides; no data, no agents.
export function createEmptyInstallation(config = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'vigie-api-'));
  const data = join(dir, 'data');
  const { initArguments, handle: databases } = createDatabases(data);
  run(['--data-dir', data, 'init', ...initArguments]);
  let toml = readFileSync(join(data, 'vigie.toml'), 'utf8');
  const overrides = { ...config, server: { metrics_port: 0, ...(config.server ?? {}) } };
  for (const [section, values] of Object.entries(overrides)) {
    for (const [key, value] of Object.entries(values)) toml = setConfig(toml, section, key, value);
  }
  writeFileSync(join(data, 'vigie.toml'), toml);
  return { dir, data, databases,
           remove: () => { databases.drop(); rmSync(dir, { recursive: true, force: true }); } };
}

export function activationCodeIn(output) {
  const m = output.match(/Activation code for [^\n]*\n\s+(\S+)/);
  if (!m) throw new Error(`no activation code in: ${output}`);
  return m[1];
}

// Starts `vigie serve --port <port>` (0: any free one) and resolves once it
// prints its URL (server.public_url when the installation sets one).
export async function startServer(installation, { port = 0 } = {}) {
  const child = spawn(VIGIE, ['--data-dir', installation.data, 'serve', '--port', String(port)],
                      { stdio: ['ignore', 'pipe', 'pipe'] });
  const accessLog = [];
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${stderr}`)), 60000);
    child.stdout.on('data', (d) => {
      out += d;
      for (const line of out.split('\n')) {
        const m = line.match(/^Vigie serving (\S+)/);
        if (m) { clearTimeout(timer); resolve(m[1]); }
        if (line.startsWith('{')) accessLog.push(line);
      }
      out = out.slice(out.lastIndexOf('\n') + 1);
    });
    child.on('exit', (code) => reject(new Error(`server exited ${code}: ${stderr}`)));
  });
  child.stdout.on('data', (d) => {
    for (const line of String(d).split('\n')) if (line.startsWith('{')) accessLog.push(line);
  });
  const ca = readFileSync(join(installation.data, 'tls', 'cert.pem'));
  return {
    url, child, accessLog, ca,
    log: () => stderr,  // the server's own log lines so far
    stop: () => new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode ?? child.signalCode);
      child.on('exit', (code) => resolve(code));
      child.kill('SIGTERM');
    }),
  };
}

const REQUEST_IDLE_LIMIT_MS = 120000;

// One HTTP(S) request; resolves { status, headers, body, json }.
// `path` is resolved as a URL (its dot segments removed); `target`, if
// given, is sent as the request target as it is.
export function request(server, method, path, { headers = {}, body, rawBody, localAddress, target } = {}) {
  const url = new URL(path, server.url);
  const payload = rawBody !== undefined ? rawBody : body !== undefined ? JSON.stringify(body) : undefined;
  const h = { ...headers };
  if (payload !== undefined && !Object.keys(h).some((k) => k.toLowerCase() === 'content-type')) {
    h['Content-Type'] = 'application/json';
  }
  const lib = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request(url, { method, headers: h, ca: server.ca, agent: false, localAddress, family: localAddress ? 4 : undefined,
                                   ...(target !== undefined && { path: target }) }, (res) => {
      const chunks = [];
      res.on('error', reject);  // a body cut short fails, rather than never settling
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json;
        try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
        resolve({ status: res.statusCode, headers: res.headers, body: text, json });
      });
    });
    req.on('error', reject);
    // A hang fails its test in two minutes, naming the request, rather than
    // holding the suite until ctest's timeout with nothing said.
    req.setTimeout(REQUEST_IDLE_LIMIT_MS, () => {
      req.destroy(new Error(`${method} ${path}: no byte from the server in ${REQUEST_IDLE_LIMIT_MS} ms`));
    });
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

/**
 * The answer to a body the server refuses as too large: its 413, or, when
 * the server closed the connection while the body was still going out, a
 * reset or a broken pipe, then taken for the 413 if the server still answers
 * (GET /healthz). Any other failure is the test's.
 */
export async function tooLargeAnswer(server, attempt) {
  try {
    return await attempt;
  } catch (error) {
    if (!['ECONNRESET', 'EPIPE'].includes(error.code)) throw error;
    const health = await request(server, 'GET', '/healthz');
    if (health.status !== 200) throw new Error(`the server stopped answering after ${error.code}`);
    return { status: 413, error };
  }
}

// A client's DPoP key (RFC 9449), held by jose.
export class DpopKey {
  static async create() {
    const k = new DpopKey();
    const pair = freshEs256KeyPair();
    k.privateKey = pair.privateKey;
    k.jwk = await exportJWK(pair.publicKey);
    k.jkt = await calculateJwkThumbprint(k.jwk);
    return k;
  }
  // A proof for `method` `url`; options change one claim to test refusals.
  // `iat`: a time of its own (unix seconds), else now + `iatOffset`.
  async proof(method, url, token, { iatOffset = 0, iat, jti = randomUUID(), htm, htu } = {}) {
    const claims = { htm: htm ?? method, htu: htu ?? url, jti };
    if (token) claims.ath = base64url.encode(createHash('sha256').update(token).digest());
    return new SignJWT(claims)
      .setProtectedHeader({ typ: 'dpop+jwt', alg: 'ES256', jwk: this.jwk })
      .setIssuedAt(iat ?? Math.floor(Date.now() / 1000) + iatOffset)
      .sign(this.privateKey);
  }
}

// TOTP code from oathtool (RFC 6238), `offsetSteps` 30-second steps from now.
export function totp(secret, offsetSteps = 0) {
  const args = ['--totp', '-b', secret];
  if (offsetSteps !== 0) args.push('-N', `now ${offsetSteps >= 0 ? '+' : '-'} ${Math.abs(offsetSteps) * 30} seconds`);
  return execFileSync('oathtool', args, { encoding: 'utf8' }).trim();
}

// An agent's view of the API: a DPoP key, tokens, and helpers to call.
export class Client {
  constructor(server, key) { this.server = server; this.key = key; }
  static async create(server) { return new Client(server, await DpopKey.create()); }
  // The URL proofs name (htu): the portal's public one, even when the
  // request goes straight to one node behind the load balancer.
  url(path) { return new URL(path, this.server.publicUrl ?? this.server.url).toString(); }

  async activate(code, password) {
    return request(this.server, 'POST', '/api/v1/auth/activate',
                   { body: { activation_code: code, password } });
  }
  async login(serviceNumber, password, secret, { offsetSteps = 0 } = {}) {
    const step1 = await request(this.server, 'POST', '/api/v1/auth/login',
                                { body: { service_number: serviceNumber, password } });
    if (step1.status !== 200) return step1;
    const step2 = await this.secondFactor(step1.json.login_challenge, totp(secret, offsetSteps));
    if (step2.status === 200) this.adopt(step2.json);
    return step2;
  }
  async secondFactor(challenge, code) {
    const path = '/api/v1/auth/second-factor';
    return request(this.server, 'POST', path, {
      headers: { DPoP: await this.key.proof('POST', this.url(path)) },
      body: { login_challenge: challenge, code }, localAddress: this.localAddress });
  }
  adopt(tokens) { this.access = tokens.access_token; this.refreshToken = tokens.refresh_token; }
  // An authenticated call with a fresh proof; `proofOptions` break it on purpose.
  async call(method, path, body, { proofOptions = {}, key = this.key, token = this.access, headers = {}, target } = {}) {
    const h = { Authorization: `DPoP ${token}`, DPoP: await key.proof(method, this.url(path), token, proofOptions), ...headers };
    // `localAddress`: which loopback address the request leaves from (another network).
    return request(this.server, method, path, { headers: h, body, localAddress: this.localAddress, target });
  }
  async refresh() {
    const path = '/api/v1/auth/refresh';
    const r = await request(this.server, 'POST', path, {
      headers: { DPoP: await this.key.proof('POST', this.url(path)) },
      body: { refresh_token: this.refreshToken }, localAddress: this.localAddress });
    if (r.status === 200) this.adopt(r.json);
    return r;
  }
  async acknowledgeNotice() {
    return this.call('POST', '/api/v1/auth/use-notice', { version: '2026-11' });
  }
}

export const PASSWORD = 'correct horse battery staple 42';

// Activates `serviceNumber` and logs it in; returns the client and TOTP secret.
export async function activeClient(server, installation, serviceNumber, { acknowledge = true } = {}) {
  const client = await Client.create(server);
  const act = await client.activate(installation.codes[serviceNumber], PASSWORD);
  if (act.status !== 200) throw new Error(`activation failed: ${act.body}`);
  client.secret = act.json.totp_secret;
  client.serviceNumber = serviceNumber;
  const login = await client.login(serviceNumber, PASSWORD, client.secret);
  if (login.status !== 200) throw new Error(`login failed: ${login.body}`);
  if (acknowledge) {
    const ack = await client.acknowledgeNotice();
    if (ack.status !== 204) throw new Error(`notice: ${ack.body}`);
  }
  return client;
}
