{{/*
The freshet alerts (DESIGN §6 metrics). deploy/prometheus/freshet-rules.yaml is this, rendered with the
default values; helm/tests/chart.test.mjs keeps the two equal.
*/}}
{{- define "freshet.ruleGroups" -}}
groups:
  - name: freshet.recording
    rules:
      # A partition's lag is reported by the member that owns it; max() drops a stale copy during a rebalance.
      - record: freshet:consumer_lag:sum
        expr: sum by (namespace, stage) (max by (namespace, stage, topic, partition) (freshet_consumer_lag))
      - record: freshet:events:rate5m
        expr: sum by (namespace, stage, outcome) (rate(freshet_events_total[5m]))
      - record: freshet:freshness_seconds:p99_5m
        expr: histogram_quantile(0.99, sum by (namespace, le) (rate(freshet_freshness_seconds_bucket[5m])))
      - record: freshet:dlq:rate5m
        expr: sum by (namespace, stage, reason) (rate(freshet_dlq_total[5m]))
  - name: freshet.alerts
    rules:
      - alert: FreshetConsumerLagGrowing
        expr: freshet:consumer_lag:sum > 0 and deriv(freshet:consumer_lag:sum[10m]) > 0
        for: 10m
        labels:
          severity: warning
        annotations:
          summary: "freshet {{`{{ $labels.stage }}`}} lag has grown for 10 minutes"
          description: "The {{`{{ $labels.stage }}`}} consumer group is {{`{{ $value | humanize }}`}} records behind and falling further behind. Scale the stage (KEDA/HPA or replicas, up to the partition count) or look for a slow dependency (paused partitions, Milvus latency, embedding API)."
      - alert: FreshetFreshnessSLOBurn
        expr: freshet:freshness_seconds:p99_5m > {{ .Values.prometheusRule.freshnessP99Seconds }}
        for: 15m
        labels:
          severity: critical
        annotations:
          summary: "freshet p99 freshness above {{ .Values.prometheusRule.freshnessP99Seconds }} s for 15 minutes"
          description: "p99 of indexed_at − occurredAt is {{`{{ $value | humanizeDuration }}`}}. Products are searchable later than the SLO; check lag per stage and the embedder's breaker."
      - alert: FreshetEmbeddingBreakerOpen
        expr: max by (namespace, pod) (freshet_breaker_state) == 2
        for: 5m
        labels:
          severity: critical
        annotations:
          summary: "freshet embedder {{`{{ $labels.pod }}`}}: embedding API circuit breaker open for 5 minutes"
          description: "The embedder has paused its partitions because the embedding API keeps failing (freshet_embedding_requests_total by outcome says how). Nothing is lost; freshness degrades until the API recovers."
      - alert: FreshetDeadLetters
        expr: freshet:dlq:rate5m > 0
        for: 10m
        labels:
          severity: warning
        annotations:
          summary: "freshet {{`{{ $labels.stage }}`}} sends records to the DLQ ({{`{{ $labels.reason }}`}})"
          description: "Records are dead-lettered at {{`{{ $value | humanize }}`}}/s for 10 minutes. Inspect them with `freshet dlq inspect`, fix the producer or the config, then `freshet dlq replay`."
{{- end }}
