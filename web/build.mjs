// Builds web/dist: index.html plus assets/<name>-<hash>.{js,css}, each with a
// gzip -9 sibling (.gz) that the server may send to clients accepting it.
// Offline once `npm ci` has run; any failure exits non-zero with a message.
import { build } from 'esbuild';
import { readFileSync, writeFileSync, rmSync, mkdirSync, readdirSync } from 'node:fs';
import { gzipSync, constants } from 'node:zlib';
import { join, dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(fileURLToPath(import.meta.url));
const dist = join(root, 'dist');

function fail(message) {
  console.error(`web build failed: ${message}`);
  process.exit(1);
}

async function main() {
  rmSync(dist, { recursive: true, force: true });
  mkdirSync(join(dist, 'assets'), { recursive: true });
  let result;
  try {
    result = await build({
      entryPoints: { app: join(root, 'src/main.js') },
      bundle: true,
      format: 'esm',
      target: ['chrome110', 'firefox115', 'safari16'],
      minify: true,
      sourcemap: false,
      legalComments: 'none',
      outdir: join(dist, 'assets'),
      entryNames: '[name]-[hash]',
      assetNames: '[name]-[hash]',
      metafile: true,
      logLevel: 'warning',
      charset: 'utf8',
    });
  } catch (error) {
    fail(error.message);
  }
  if (result.errors.length) fail(result.errors.map((e) => e.text).join('\n'));
  const outputs = Object.keys(result.metafile.outputs).map((p) => `/${relative(dist, join(process.cwd(), p)).split('\\').join('/')}`);
  const js = outputs.find((p) => p.endsWith('.js'));
  const css = outputs.find((p) => p.endsWith('.css'));
  if (!js || !css) fail(`expected one .js and one .css output, got ${outputs.join(', ')}`);
  const template = readFileSync(join(root, 'index.html'), 'utf8');
  if (!template.includes('%JS%') || !template.includes('%CSS%')) fail('index.html lacks %JS% or %CSS%');
  writeFileSync(join(dist, 'index.html'), template.replace('%JS%', js).replace('%CSS%', css));

  // Precompressed siblings, gzip -9.
  const files = ['index.html', ...readdirSync(join(dist, 'assets')).map((f) => `assets/${f}`)];
  let total = 0;
  for (const file of files) {
    const body = readFileSync(join(dist, file));
    const gz = gzipSync(body, { level: constants.Z_BEST_COMPRESSION });
    writeFileSync(join(dist, `${file}.gz`), gz);
    total += gz.length;
    console.log(`  ${file.padEnd(36)} ${String(body.length).padStart(7)} B  gzip ${String(gz.length).padStart(6)} B`);
  }
  console.log(`web/dist built: ${files.length} files, ${total} B gzipped in total`);
}

main().catch((error) => fail(error.stack ?? String(error)));
