import { ExternalServiceError } from '../../../core/errors.ts';
import { MASTER_KINDS, type MasterKind } from '../../../core/master-kinds.ts';
import type { MasterDataSource, MasterPage } from '../../master-data-port.ts';
import { REST_OPERATIONS, type RestAdapterClient, type RestOperation } from './client.ts';
import { REST_SERVICE, rpcError, type CallInfo } from './errors.ts';
import { masterKindsSchema, masterPageSchema, toMasterRecord } from './originated-schema.ts';
import { parseAnswer } from './status.ts';

const DEFAULT_PAGE = 100;
const MAX_PAGE = 500;

/**
 * Master data through the adapter (docs/erp-rest-contract.openapi.yaml, `/master-data`). The kinds it shares come
 * from `GET /master-data`, asked once per connector (again after a kind answers 404) and narrowed to the instance
 * file's `master_data.kinds`. Until that first answer `kinds()` is the instance's list, and the first
 * `listMaster` asks before reading; `refreshKinds()` asks at once.
 */
export class RestMasterData implements MasterDataSource {
  private shared: MasterKind[] | null = null;
  private loading: Promise<MasterKind[]> | null = null;

  constructor(private readonly instance: string, private readonly client: RestAdapterClient, private readonly configured: readonly MasterKind[] | null) {}

  kinds(): MasterKind[] {
    return [...(this.shared ?? this.configured ?? MASTER_KINDS)];
  }

  /** Asks the adapter which kinds it shares now (concurrent callers share one call). */
  async refreshKinds(): Promise<MasterKind[]> {
    this.loading ??= (async () => {
      try {
        const { json } = await this.client.call('masterKinds');
        const offered = new Set(parseAnswer(masterKindsSchema, json, this.info('masterKinds')).kinds);
        this.shared = MASTER_KINDS.filter((k) => offered.has(k) && (!this.configured || this.configured.includes(k)));
        return [...this.shared];
      } finally {
        this.loading = null;
      }
    })();
    return this.loading;
  }

  async listMaster(kind: MasterKind, cursor: string | null, opts: { limit?: number } = {}): Promise<MasterPage> {
    if (!MASTER_KINDS.includes(kind)) throw this.notShared(kind, `not a kind of master data (${MASTER_KINDS.join(', ')})`);
    if (this.configured && !this.configured.includes(kind)) throw this.notShared(kind, `the instance file's master_data.kinds leaves it out`);
    const shared = this.shared ?? await this.refreshKinds();
    if (!shared.includes(kind)) throw this.notShared(kind, `the adapter shares ${shared.join(', ') || 'no kinds'}`);
    const limit = Math.min(MAX_PAGE, Math.max(1, Math.floor(opts.limit ?? DEFAULT_PAGE)));
    let json: unknown;
    try {
      ({ json } = await this.client.call('masterRecords', { params: { kind }, query: { cursor: cursor || undefined, limit } }));
    } catch (e) {
      // The adapter stopped sharing it: ask for the list again next time.
      if (e instanceof ExternalServiceError && e.code === 'erp.not_found') this.shared = null;
      throw e;
    }
    const page = parseAnswer(masterPageSchema, json, this.info('masterRecords'));
    if (page.records.length > limit) throw rpcError(this.info('masterRecords'), `${page.records.length} records for limit ${limit}`);
    return { records: page.records.map((r) => toMasterRecord(kind, r)), nextCursor: page.next_cursor, hasMore: page.has_more };
  }

  private info(op: RestOperation): CallInfo {
    const spec = REST_OPERATIONS[op];
    return { instance: this.instance, op: `${spec.method} ${spec.path}` };
  }

  private notShared(kind: string, why: string): ExternalServiceError {
    return new ExternalServiceError(REST_SERVICE, 'erp.not_found', `ERP instance ${this.instance} does not share ${kind} master data: ${why}`, {
      retryable: false, httpStatus: 404, details: { instance: this.instance, kind },
    });
  }
}
