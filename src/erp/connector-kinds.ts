import type { ErpInstance, ErpKind } from '../config/erp-instances.ts';
import { ConfigError } from '../core/errors.ts';
import type { ConnectorDeps, ConnectorKind } from './connector-kind.ts';
import type { ErpConnector } from './erp-connector.ts';
import { kingdeeKind } from './connectors/kingdee/index.ts';
import { restKind } from './connectors/rest/index.ts';
import { trytonKind } from './connectors/tryton/index.ts';

/** Every kind of ERP this build connects to, by the `kind:` of an instance file. The sandbox is built in. */
export const CONNECTOR_KINDS: { readonly [K in ErpKind]: ConnectorKind<never> } = {
  tryton: trytonKind as ConnectorKind<never>,
  kingdee: kingdeeKind as ConnectorKind<never>,
  rest: restKind as ConnectorKind<never>,
};

/** What is wrong with an instance beyond its envelope: credentials the kind needs and its `settings:` block. */
export function instanceProblems(inst: ErpInstance): string[] {
  const kind = CONNECTOR_KINDS[inst.kind];
  const problems: string[] = [];
  for (const name of kind.credentials) {
    if (!(name in inst.credentials)) problems.push(`${inst.file}: credentials.${name}: a ${inst.kind} instance needs it (the name of an environment variable)`);
  }
  const parsed = kind.settings.safeParse(inst.settings);
  if (!parsed.success) {
    for (const i of parsed.error.issues) problems.push(`${inst.file}: settings.${i.path.join('.') || '(root)'}: ${i.message}`);
  }
  return problems;
}

/** One connector per instance; a bad instance fails the boot with every problem listed. */
export function createConnectors(instances: ErpInstance[], deps: ConnectorDeps): Map<string, ErpConnector> {
  const problems = instances.flatMap(instanceProblems);
  if (problems.length) throw new ConfigError(problems.join('\n'));
  const out = new Map<string, ErpConnector>();
  for (const inst of instances) {
    const kind = CONNECTOR_KINDS[inst.kind];
    out.set(inst.id, kind.create(inst, kind.settings.parse(inst.settings), deps));
  }
  return out;
}
