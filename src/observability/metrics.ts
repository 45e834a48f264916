import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics of one app instance (its own registry, so several apps can live in one process). */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpRequests: new Counter({ name: 'http_requests_total', help: 'HTTP requests by route and status', labelNames: ['method', 'route', 'status'] as const, registers: [registry] }),
    httpDuration: new Histogram({ name: 'http_request_duration_seconds', help: 'HTTP request latency', labelNames: ['method', 'route'] as const, buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5], registers: [registry] }),
    inboundEvents: new Counter({ name: 'inbound_events_total', help: 'Inbound events by platform and outcome', labelNames: ['platform', 'outcome'] as const, registers: [registry] }),
    jobs: new Counter({ name: 'outbox_jobs_total', help: 'Outbox job runs by kind and outcome', labelNames: ['kind', 'outcome'] as const, registers: [registry] }),
    jobDuration: new Histogram({ name: 'outbox_job_duration_seconds', help: 'Outbox job run time', labelNames: ['kind'] as const, registers: [registry] }),
    commitBatch: new Histogram({ name: 'approval_commit_batch_size', help: 'Request changes per group commit', buckets: [1, 2, 4, 8, 16, 32], registers: [registry] }),
    outboxDepth: new Gauge({ name: 'outbox_jobs', help: 'Outbox jobs not done, by status', labelNames: ['status'] as const, registers: [registry] }),
    // Estimates, refreshed on each scrape within a time bound (observability/table-sizes.ts); the purges: scheduler/retention.ts.
    // ERP connectors' health, read on each scrape (src/erp/erp-health.ts).
    erpLastSuccess: new Gauge({ name: 'erp_poll_last_success_timestamp_seconds', help: 'When each ERP connector was last polled successfully (0: never)', labelNames: ['connector', 'kind'] as const, registers: [registry] }),
    erpLag: new Gauge({ name: 'erp_poll_lag_seconds', help: 'Seconds since each ERP connector was last polled successfully', labelNames: ['connector', 'kind'] as const, registers: [registry] }),
    erpFailing: new Gauge({ name: 'erp_poll_failing', help: '1 when the last poll of an ERP connector failed', labelNames: ['connector', 'kind'] as const, registers: [registry] }),
    erpPending: new Gauge({ name: 'erp_documents_pending', help: 'ERP documents not yet paid, cancelled or rejected, per connector', labelNames: ['connector', 'kind'] as const, registers: [registry] }),
    erpPushes: new Counter({ name: 'erp_push_total', help: 'ERP pushes received, by instance and outcome (accepted or the refusal code)', labelNames: ['connector', 'outcome'] as const, registers: [registry] }),
    // LLM mode (NLU_MODE=llm|hybrid): every call, why a turn fell back to offline, latency and the tokens the endpoint reported.
    llmCalls: new Counter({ name: 'llm_calls_total', help: 'LLM resolver turns by outcome (ok, repaired, fallback, blocked)', labelNames: ['outcome'] as const, registers: [registry] }),
    llmFallbacks: new Counter({ name: 'llm_fallbacks_total', help: 'LLM turns answered offline instead, by reason (auth, timeout, network, rate_limited, bad_reply…)', labelNames: ['reason'] as const, registers: [registry] }),
    llmLatency: new Histogram({ name: 'llm_call_duration_seconds', help: 'LLM call latency, including failed calls', buckets: [0.1, 0.25, 0.5, 1, 2, 4, 8, 16], registers: [registry] }),
    llmTokens: new Counter({ name: 'llm_tokens_total', help: 'Tokens reported by the LLM endpoint, by kind (prompt, completion)', labelNames: ['kind'] as const, registers: [registry] }),
    tableRows: new Gauge({ name: 'db_table_rows', help: 'Rows of each table that grows with traffic (planner estimate)', labelNames: ['table'] as const, registers: [registry] }),
  };
}
export type Metrics = ReturnType<typeof createMetrics>;
