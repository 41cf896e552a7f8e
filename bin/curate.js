#!/usr/bin/env node
// Entry point. curate is TypeScript run by Node's built-in type stripping (Node >= 22.18): no build step.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  console.error(`curate needs Node.js 22.18 or newer (this is ${process.version}). Install it with: npm install -g node@22`);
  process.exit(1);
}
await import('../pipeline/cli.ts');
