import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './api-process.ts';

const run = promisify(execFile);

/**
 * A Redis Cluster of a test's own: `masters` redis-servers with `--cluster-enabled yes` on free
 * ports, joined by `redis-cli --cluster create` (no replicas), without persistence. A node may be
 * stopped and started again on its port and its nodes.conf (a failed node coming back). It never
 * touches the shared Redis.
 */
export interface PrivateRedisCluster {
  ports: number[];
  /** `REDIS_CLUSTER_NODES` for the app: every node as a seed. */
  nodes: string;
  /** Runs redis-cli against one node (`-c` follows redirections). */
  cli(port: number, ...args: string[]): Promise<string>;
  /** The master's port that serves a key's (or a shard channel's) slot. */
  ownerOf(name: string): Promise<number>;
  /**
   * Moves the slot of `name` to the master on `toPort`, keys and all, the way redis-cli --cluster
   * reshard moves each slot (IMPORTING/MIGRATING, MIGRATE in batches, SETSLOT NODE everywhere).
   */
  migrateSlotOf(name: string, toPort: number): Promise<void>;
  stopNode(port: number): Promise<void>;
  startNode(port: number): Promise<void>;
  /** Resolves once every running node says `cluster_state:ok` and agrees on the slots. */
  waitHealthy(timeoutMs?: number): Promise<void>;
  /** Stops every node for good and removes their directories. */
  dispose(): Promise<void>;
}

export async function startPrivateRedisCluster(masters = 3): Promise<PrivateRedisCluster> {
  const dir = await mkdtemp(join(tmpdir(), 'gavel-redis-cluster-'));
  const ports: number[] = [];
  // Cluster nodes talk on port + 10000: both must be free.
  while (ports.length < masters) {
    const port = await freePort();
    if (port > 55_000 || ports.includes(port)) continue;
    ports.push(port);
  }
  const children = new Map<number, ChildProcess>();
  const cli = async (port: number, ...args: string[]) => (await run('redis-cli', ['-p', String(port), ...args], { timeout: 30_000 })).stdout;

  const startNode = async (port: number) => {
    if (children.has(port)) return;
    const nodeDir = join(dir, String(port));
    await mkdir(nodeDir, { recursive: true });
    const child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', '2000', '--save', '', '--appendonly', 'no', '--dir', nodeDir],
      { stdio: 'ignore' },
    );
    children.set(port, child);
    child.once('exit', () => {
      if (children.get(port) === child) children.delete(port);
    });
    const deadline = Date.now() + 10_000;
    for (;;) {
      if ((await cli(port, 'PING').catch(() => '')).trim() === 'PONG') return;
      if (Date.now() > deadline) throw new Error(`cluster node ${port} did not start`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const stopNode = async (port: number) => {
    const child = children.get(port);
    if (!child) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
  };
  const waitHealthy = async (timeoutMs = 20_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const states = await Promise.all([...children.keys()].map((port) => cli(port, 'CLUSTER', 'INFO').catch(() => '')));
      if (states.length && states.every((s) => /cluster_state:ok/.test(s) && /cluster_slots_ok:16384/.test(s))) return;
      if (Date.now() > deadline) throw new Error(`the cluster did not become healthy:\n${states.join('\n')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  const mastersNow = async () => {
    const lines = (await cli(ports[0]!, 'CLUSTER', 'NODES')).trim().split('\n');
    return lines.flatMap((line) => {
      const [id, address, flags, , , , , , ...ranges] = line.split(' ');
      if (!flags!.includes('master')) return [];
      const slots = ranges.filter((r) => /^\d/.test(r)).map((r) => r.split('-').map(Number) as [number, number?]);
      return [{ id: id!, port: Number(address!.split(':')[1]!.split('@')[0]), owns: (slot: number) => slots.some(([from, to]) => slot >= from && slot <= (to ?? from)) }];
    });
  };
  const slotOf = async (name: string) => Number((await cli(ports[0]!, 'CLUSTER', 'KEYSLOT', name)).trim());
  const ownerOf = async (name: string) => {
    const slot = await slotOf(name);
    return (await mastersNow()).find((m) => m.owns(slot))!.port;
  };
  const migrateSlotOf = async (name: string, toPort: number) => {
    const slot = String(await slotOf(name));
    const all = await mastersNow();
    const from = all.find((m) => m.owns(Number(slot)))!;
    const to = all.find((m) => m.port === toPort)!;
    if (from.port === to.port) throw new Error(`slot ${slot} is already on ${toPort}`);
    await cli(to.port, 'CLUSTER', 'SETSLOT', slot, 'IMPORTING', from.id);
    await cli(from.port, 'CLUSTER', 'SETSLOT', slot, 'MIGRATING', to.id);
    for (;;) {
      const keys = (await cli(from.port, 'CLUSTER', 'GETKEYSINSLOT', slot, '100')).split('\n').filter(Boolean);
      if (!keys.length) break;
      await cli(from.port, 'MIGRATE', '127.0.0.1', String(to.port), '', '0', '5000', 'KEYS', ...keys);
    }
    for (const node of [to, from, ...all.filter((m) => m !== to && m !== from)]) await cli(node.port, 'CLUSTER', 'SETSLOT', slot, 'NODE', to.id);
  };

  try {
    for (const port of ports) await startNode(port);
    await run('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'], { timeout: 60_000 });
    await waitHealthy();
  } catch (error) {
    for (const port of ports) await stopNode(port);
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    ports,
    nodes: ports.map((p) => `127.0.0.1:${p}`).join(','),
    cli,
    ownerOf,
    migrateSlotOf,
    stopNode,
    startNode,
    waitHealthy,
    async dispose() {
      for (const port of ports) await stopNode(port);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
