// The databases of a test installation on the suite's backend: SQLite files
// in the data directory, or, on the PostgreSQL pass (VIGIE_TEST_BACKEND=postgres,
// the cluster's URL in VIGIE_TEST_POSTGRES_URL_FILE, set by CTest), a schema
// each for the records and the audit log. Tests reach the audit database as
// an investigator or an attacker with full access would: sqlite3 or psql.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

export const BACKEND = process.env.VIGIE_TEST_BACKEND === 'postgres' ? 'postgres' : 'sqlite';

function serverUrl() {
  const file = process.env.VIGIE_TEST_POSTGRES_URL_FILE;
  const url = process.env.VIGIE_TEST_POSTGRES_URL ?? (file ? readFileSync(file, 'utf8').trim() : '');
  if (!url) throw new Error('the PostgreSQL pass needs VIGIE_TEST_POSTGRES_URL(_FILE)');
  return `${url}${url.includes('?') ? '&' : '?'}options=-csynchronous_commit%3Doff`;
}

function psql(url, statement) {
  return execFileSync('psql', ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-d', url, '-c', statement],
                      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

// Creates the databases of an installation in `data`; returns the `vigie init`
// arguments and the handle the tests use.
export function createDatabases(data) {
  if (BACKEND === 'sqlite') return { initArguments: [], handle: sqliteDatabases(data) };
  const server = serverUrl();
  const stem = `vigie_js_${process.pid}_${randomBytes(4).toString('hex')}`;
  const schemas = { store: `${stem}_store`, audit: `${stem}_audit` };
  psql(server, `CREATE SCHEMA ${schemas.store}; CREATE SCHEMA ${schemas.audit}`);
  const url = (schema) => `${server}%20-csearch_path%3D${schema}`;
  return {
    initArguments: ['--store-url', url(schemas.store), '--audit-url', url(schemas.audit)],
    handle: postgresDatabases(server, url(schemas.audit), schemas, url(schemas.store)),
  };
}

function sqliteDatabases(data) {
  const auditDb = join(data, 'audit.db');
  const sql = (file) => (statement) =>
    execFileSync('sqlite3', ['-cmd', '.timeout 5000', file, statement], { encoding: 'utf8' }).trim();
  const auditSql = sql(auditDb);
  return {
    backend: 'sqlite',
    auditSql,
    storeSql: sql(join(data, 'vigie.db')),
    // Every byte of the audit database a thief would take.
    auditBytes: () => Buffer.concat([auditDb, `${auditDb}-wal`].filter(existsSync).map((f) => readFileSync(f))),
    // The disk fills up: another writer takes the log's database past its cap
    // (the installation's audit.max_size_mib must be set).
    fillAuditDisk: () => auditSql('CREATE TABLE filler (b BLOB); INSERT INTO filler VALUES (zeroblob(2000000));'),
    freeAuditDisk: () => auditSql('DROP TABLE filler;'),
    // Another process holds the log's write lock until the returned function runs.
    holdAuditWriteLock: () => holdLock(spawn('sqlite3', [auditDb], { stdio: ['pipe', 'pipe', 'inherit'] }),
                                       "BEGIN EXCLUSIVE; SELECT 'locked';\n", 'COMMIT;\n'),
    drop: () => {},
  };
}

function postgresDatabases(server, auditUrl, schemas, storeUrl) {
  const auditSql = (statement) => psql(auditUrl, statement);
  return {
    backend: 'postgres',
    auditSql,
    storeSql: (statement) => psql(storeUrl, statement),
    auditBytes: () => execFileSync('pg_dump', ['--no-owner', `--schema=${schemas.audit}`, '-d', server]),
    // The server refuses every write to the log, as a full disk makes it.
    fillAuditDisk: () => auditSql(
      "CREATE FUNCTION disk_full() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION " +
      "'could not extend file' USING ERRCODE = 'disk_full'; END $$; CREATE TRIGGER disk_full BEFORE " +
      'INSERT ON audit_event FOR EACH ROW EXECUTE FUNCTION disk_full();'),
    freeAuditDisk: () => auditSql('DROP TRIGGER disk_full ON audit_event; DROP FUNCTION disk_full();'),
    holdAuditWriteLock: () => holdLock(
      spawn('psql', ['-X', '-q', '-A', '-t', '-d', auditUrl], { stdio: ['pipe', 'pipe', 'inherit'] }),
      "BEGIN; LOCK TABLE audit_event IN EXCLUSIVE MODE; SELECT 'locked';\n", 'COMMIT;\n'),
    // Another process holds the agents' table: no agent can be suspended meanwhile.
    holdAgentsWriteLock: () => holdLock(
      spawn('psql', ['-X', '-q', '-A', '-t', '-d', storeUrl], { stdio: ['pipe', 'pipe', 'inherit'] }),
      "BEGIN; LOCK TABLE agent IN EXCLUSIVE MODE; SELECT 'locked';\n", 'COMMIT;\n'),
    drop: () => {
      try {
        psql(server, `DROP SCHEMA IF EXISTS ${schemas.store} CASCADE; DROP SCHEMA IF EXISTS ${schemas.audit} CASCADE`);
      } catch { /* the throw-away cluster may already be gone */ }
    },
  };
}

async function holdLock(shell, lock, unlock) {
  shell.stdin.write(lock);
  await new Promise((resolve) => shell.stdout.once('data', resolve));
  return async () => {
    shell.stdin.end(unlock);
    await new Promise((resolve) => shell.once('exit', resolve));
  };
}
