// The built daemon engine in a process of its own, so a test can kill -9 it or send it SIGTERM.
// Usage: node daemon-engine-child.mjs '<StartDaemonOptions as JSON>'
import { startDaemon } from '../../dist/src/daemon/daemon.js';

const handle = await startDaemon({ ...JSON.parse(process.argv[2]), handleSignals: true });
process.stdout.write(`${JSON.stringify({ started: true, pid: process.pid })}\n`);
await handle.closed;
process.exit(0);
