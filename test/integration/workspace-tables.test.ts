/** The default workspace tables (notion_users and the catalog) through `sync`, against the emulator over HTTP. */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { allTypesIds, allTypesWorkspace } from '../../src/emulator/generate.js';
import { startEmulator, type Emulator } from '../../src/emulator/server.js';
import type { EmuUser } from '../../src/emulator/workspace.js';
import { runCli } from '../support/cli.js';
import { duckDbTables } from '../support/warehouse-rows.js';

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

const fast = ['--rate-limit', '1000', '--quiet'];
const tmp = () => mkdtemp(join(tmpdir(), 'notion-stream-ws-'));

describe('workspace tables', () => {
  it('loads every user (persons and bots, 100 per request) and the catalog of what was read', async () => {
    const ws = allTypesWorkspace();
    // 250 users: three pages of users.list, and a bot owned by a user.
    const persons = ws.users.filter((u) => u.type === 'person');
    for (let i = ws.users.length; i < 250; i++) {
      const hex = i.toString(16).padStart(12, '0');
      ws.users.push({ object: 'user', id: `aaaaaaaa-0000-4000-8000-${hex}`, name: `Person ${i}`, avatar_url: null, type: 'person', person: { email: `p${i}@example.com` } });
    }
    const bot = ws.users.find((u) => u.type === 'bot')!;
    bot.bot = { owner: { type: 'user', user: { object: 'user', id: persons[0]!.id } }, workspace_name: 'Acme' };
    emu = await startEmulator({ workspace: ws, rateLimit: false });
    const env = { NOTION_TOKEN: emu.token, NOTION_BASE_URL: emu.url };
    const db = join(await tmp(), 'notion.duckdb');
    const res = await runCli(['sync', '--rate-limit', '1000', '--out', db], env);
    expect(res.code).toBe(0);
    expect(res.stderr).toMatch(/Requests of the workspace tables: users 3, catalog \d+\./);
    expect(emu.log.filter((l) => l.endpoint === 'users.list')).toHaveLength(3);

    const tables = await duckDbTables(db);
    const users = tables.notion_users!;
    expect(users.rows.map((r) => r.id).sort()).toEqual(ws.users.map((u) => u.id).sort());
    expect(users.columns).toMatchObject({ id: 'STRING', type: 'STRING', name: 'STRING', email: 'STRING', avatar_url: 'STRING', bot_owner_type: 'STRING', bot_owner_user_id: 'STRING', bot_workspace_name: 'STRING' });
    const botRow = users.rows.find((r) => r.id === bot.id)!;
    expect(botRow).toMatchObject({ type: 'bot', email: null, bot_owner_type: 'user', bot_owner_user_id: persons[0]!.id, bot_workspace_name: 'Acme' });
    const person = persons[1] as EmuUser & { person: { email: string } };
    expect(users.rows.find((r) => r.id === person.id)).toMatchObject({ type: 'person', name: person.name, email: person.person.email });

    // The catalog: every shared data source with the table it went to, its database, its properties.
    const ids = allTypesIds(ws);
    const shared = ws.dataSources.filter((d) => d.shared && !d.in_trash);
    const sources = tables.notion_data_sources!.rows;
    expect(sources.map((r) => r.id).sort()).toEqual(shared.map((d) => d.id).sort());
    const projects = sources.find((r) => r.id === ids.projectsDataSourceId)!;
    expect(projects).toMatchObject({ title: 'Projects', table_name: 'projects', database_id: ids.projectsDatabaseId, in_trash: false });
    for (const row of sources) expect(Object.keys(tables)).toContain(row.table_name);
    const databases = tables.notion_databases!.rows;
    expect(databases.map((r) => r.id).sort()).toEqual([...new Set(shared.map((d) => d.database_id))].sort());
    expect(databases.find((r) => r.id === ids.tasksDatabaseId)).toMatchObject({ title: 'Tasks', in_trash: false });
    expect(databases.every((r) => typeof r.created_time === 'string')).toBe(true);

    const props = tables.notion_data_source_properties!;
    expect(props.columns).toMatchObject({ options: 'JSON', config: 'JSON', position: 'INTEGER' });
    expect(props.rows).toHaveLength(shared.reduce((n, d) => n + Object.keys(d.properties).length, 0));
    const projectColumns = Object.keys(tables.projects!.columns);
    const direct = new Set(['title', 'rich_text', 'number', 'select', 'status', 'checkbox', 'url', 'email', 'phone_number', 'date', 'unique_id']);
    const checked = props.rows.filter((r) => r.data_source_id === ids.projectsDataSourceId && direct.has(String(r.type)));
    expect(checked.length).toBeGreaterThan(5);
    for (const p of checked) expect(projectColumns).toContain(p.column_name);
    const select = props.rows.find((r) => r.data_source_id === ids.projectsDataSourceId && r.type === 'select')!;
    expect(Array.isArray(select.options)).toBe(true);
    expect((select.options as { name: string }[]).length).toBeGreaterThan(1);
  });

  it('without the user capability, notion_users is left out with one warning and the rest loads', async () => {
    const ws = allTypesWorkspace();
    emu = await startEmulator({ workspace: ws, rateLimit: false });
    emu.inject({ endpoint: 'users.list', kind: 'restricted_resource', count: Infinity });
    const db = join(await tmp(), 'notion.duckdb');
    const res = await runCli(['sync', ...fast, '--out', db], { NOTION_TOKEN: emu.token, NOTION_BASE_URL: emu.url });
    expect(res.code).toBe(0);
    expect(res.stderr).toMatch(/^warning: Notion refused to list users \(403 restricted_resource\).*"Read user information"/m);
    const tables = await duckDbTables(db);
    expect(tables.notion_users).toBeUndefined();
    expect(tables.notion_data_sources!.rows.length).toBeGreaterThan(0);
  });

  it('--no-users --no-catalog leaves them out', async () => {
    emu = await startEmulator({ workspace: allTypesWorkspace(), rateLimit: false });
    const db = join(await tmp(), 'notion.duckdb');
    const res = await runCli(['sync', ...fast, '--no-users', '--no-catalog', '--out', db], { NOTION_TOKEN: emu.token, NOTION_BASE_URL: emu.url });
    expect(res.code).toBe(0);
    const tables = await duckDbTables(db);
    expect(Object.keys(tables).filter((t) => t.startsWith('notion_'))).toEqual([]);
    expect(emu.log.filter((l) => l.endpoint === 'users.list' || l.endpoint === 'databases.retrieve')).toHaveLength(0);
  });

  it('a data source whose table would take a workspace table name stops the run before anything is written', async () => {
    const ws = allTypesWorkspace();
    const ds = ws.dataSources.find((d) => d.shared)!;
    ds.title = [{ type: 'text', text: { content: 'Notion users', link: null }, plain_text: 'Notion users', href: null, annotations: {} }];
    emu = await startEmulator({ workspace: ws, rateLimit: false });
    const db = join(await tmp(), 'notion.duckdb');
    const res = await runCli(['sync', ...fast, '--out', db], { NOTION_TOKEN: emu.token, NOTION_BASE_URL: emu.url });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(`would be loaded into notion_users, a name notion-stream keeps for its workspace tables; name its table with --table ${ds.id}=<name>.`);
    const renamed = await runCli(['sync', ...fast, '--table', `${ds.id}=team_users`, '--out', db], { NOTION_TOKEN: emu.token, NOTION_BASE_URL: emu.url });
    expect(renamed.code).toBe(0);
  });
});
