{{/* Names, labels and the facts every template shares. */}}

{{- define "freshet.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "freshet.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "freshet.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The three stages in pipeline order (DESIGN §1). */}}
{{- define "freshet.stages" -}}
router embedder writer
{{- end }}

{{- define "freshet.selectorLabels" -}}
app.kubernetes.io/name: {{ include "freshet.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "freshet.labels" -}}
helm.sh/chart: {{ include "freshet.chart" . }}
{{ include "freshet.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: freshet
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Call with (dict "root" $ "component" "router"). */}}
{{- define "freshet.componentSelectorLabels" -}}
{{ include "freshet.selectorLabels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "freshet.componentLabels" -}}
{{ include "freshet.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "freshet.componentName" -}}
{{- printf "%s-%s" (include "freshet.fullname" .root) .component | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "freshet.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "freshet.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "freshet.configMapName" -}}
{{- printf "%s-config" (include "freshet.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "freshet.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/* Topic a stage consumes: router ← input, embedder ← embed, writer ← index. */}}
{{- define "freshet.stageTopic" -}}
{{- $topics := .root.Values.topics }}
{{- if eq .component "router" }}{{ $topics.input }}
{{- else if eq .component "embedder" }}{{ $topics.embed }}
{{- else if eq .component "writer" }}{{ $topics.index }}
{{- else }}{{ fail (printf "unknown stage %q" .component) }}
{{- end }}
{{- end }}

{{- define "freshet.graceMs" -}}
{{- .Values.shutdown.graceMs | int64 }}
{{- end }}

{{/* Above FRESHET_SHUTDOWN_GRACE_MS, so a stage that drains for its whole grace period is never SIGKILLed. */}}
{{- define "freshet.terminationGracePeriodSeconds" -}}
{{- add (div (add (int64 .Values.shutdown.graceMs) 999) 1000) (int64 .Values.shutdown.marginSeconds) }}
{{- end }}

{{/*
Secret handling. Credentials are files under /etc/freshet/secrets, named after the variable; the services
read FRESHET_<NAME>_FILE (packages/config). A credential is wired when it has a value (chart-created
Secret) or a key (existingSecret).
*/}}
{{- define "freshet.secretName" -}}
{{- default (printf "%s-secrets" (include "freshet.fullname" .)) .Values.secrets.existingSecret }}
{{- end }}

{{- define "freshet.secretVariables" -}}
embeddingApiKey: FRESHET_EMBEDDING_API_KEY
kafkaSaslPassword: FRESHET_KAFKA_SASL_PASSWORD
registryPassword: FRESHET_REGISTRY_PASSWORD
milvusToken: FRESHET_MILVUS_TOKEN
{{- end }}

{{/* YAML map variable → key in the Secret, for the credentials in use. */}}
{{- define "freshet.wiredSecrets" -}}
{{- $vars := include "freshet.secretVariables" . | fromYaml }}
{{- $out := dict }}
{{- range $field, $var := $vars }}
{{- if $.Values.secrets.existingSecret }}
{{- $key := index $.Values.secrets.existingSecretKeys $field }}
{{- if $key }}{{ $_ := set $out $var $key }}{{ end }}
{{- else if index $.Values.secrets $field }}
{{- $_ := set $out $var $var }}
{{- end }}
{{- end }}
{{- toYaml $out }}
{{- end }}

{{- define "freshet.hasSecrets" -}}
{{- if gt (len (include "freshet.wiredSecrets" . | fromYaml)) 0 }}true{{ end }}
{{- end }}

{{- define "freshet.kafkaCaPath" -}}
/etc/freshet/kafka-ca/{{ .Values.kafka.tls.caSecret.key }}
{{- end }}

{{/* Non-secret configuration shared by every stage, the provision Job and the test pod: FRESHET_* → string. */}}
{{- define "freshet.configData" -}}
{{- $v := .Values }}
{{- $d := dict }}
{{- $_ := set $d "FRESHET_KAFKA_BROKERS" (join "," $v.kafka.brokers) }}
{{- if $v.kafka.clientId }}{{ $_ := set $d "FRESHET_KAFKA_CLIENT_ID" $v.kafka.clientId }}{{ end }}
{{- $_ := set $d "FRESHET_KAFKA_SSL" (toString $v.kafka.tls.enabled) }}
{{- if $v.kafka.tls.enabled }}
{{- $_ := set $d "FRESHET_KAFKA_SSL_REJECT_UNAUTHORIZED" (toString $v.kafka.tls.rejectUnauthorized) }}
{{- if $v.kafka.tls.caSecret.name }}{{ $_ := set $d "FRESHET_KAFKA_SSL_CA_FILE" (include "freshet.kafkaCaPath" .) }}{{ end }}
{{- end }}
{{- $_ := set $d "FRESHET_KAFKA_SASL_MECHANISM" $v.kafka.sasl.mechanism }}
{{- if $v.kafka.sasl.username }}{{ $_ := set $d "FRESHET_KAFKA_SASL_USERNAME" $v.kafka.sasl.username }}{{ end }}
{{- $_ := set $d "FRESHET_TOPIC_INPUT" $v.topics.input }}
{{- $_ := set $d "FRESHET_TOPIC_EMBED" $v.topics.embed }}
{{- $_ := set $d "FRESHET_TOPIC_INDEX" $v.topics.index }}
{{- $_ := set $d "FRESHET_TOPIC_DLQ" $v.topics.dlq }}
{{- $_ := set $d "FRESHET_TOPIC_PARTITIONS" (toString (int64 $v.topics.partitions)) }}
{{- $_ := set $d "FRESHET_TOPIC_REPLICATION_FACTOR" (toString (int64 $v.topics.replicationFactor)) }}
{{- $_ := set $d "FRESHET_REGISTRY_URL" $v.registry.url }}
{{- if $v.registry.username }}{{ $_ := set $d "FRESHET_REGISTRY_USERNAME" $v.registry.username }}{{ end }}
{{- $_ := set $d "FRESHET_MILVUS_ADDRESS" $v.milvus.address }}
{{- $_ := set $d "FRESHET_MILVUS_SSL" (toString $v.milvus.ssl) }}
{{- $_ := set $d "FRESHET_COLLECTION" $v.milvus.collection }}
{{- with $v.embedding }}
{{- if .provider }}{{ $_ := set $d "FRESHET_EMBEDDING_PROVIDER" .provider }}{{ end }}
{{- if .model }}{{ $_ := set $d "FRESHET_EMBEDDING_MODEL" .model }}{{ end }}
{{- if .dimensions }}{{ $_ := set $d "FRESHET_EMBEDDING_DIMENSIONS" (toString (int64 .dimensions)) }}{{ end }}
{{- if .baseUrl }}{{ $_ := set $d "FRESHET_EMBEDDING_BASE_URL" .baseUrl }}{{ end }}
{{- if .secondaryBaseUrl }}{{ $_ := set $d "FRESHET_EMBEDDING_SECONDARY_BASE_URL" .secondaryBaseUrl }}{{ end }}
{{- end }}
{{- $_ := set $d "FRESHET_HTTP_PORT" (toString (int64 $v.http.port)) }}
{{- $_ := set $d "FRESHET_SHUTDOWN_GRACE_MS" (include "freshet.graceMs" .) }}
{{- range $name, $value := $v.config }}
{{- $_ := set $d $name (include "freshet.envValue" $value) }}
{{- end }}
{{- toYaml $d }}
{{- end }}

{{/* An env value from a typed config value: lists are comma-joined, numbers printed without exponent. */}}
{{- define "freshet.envValue" -}}
{{- if kindIs "slice" . }}{{ join "," . }}
{{- else if or (kindIs "float64" .) (kindIs "int64" .) (kindIs "int" .) }}{{ int64 . }}
{{- else }}{{ toString . }}
{{- end }}
{{- end }}

{{/* Env entries for the wired credentials: FRESHET_<NAME>_FILE → the mounted file. */}}
{{- define "freshet.secretFileEnv" -}}
{{- range $var, $key := (include "freshet.wiredSecrets" . | fromYaml) }}
- name: {{ $var }}_FILE
  value: /etc/freshet/secrets/{{ $var }}
{{- end }}
{{- end }}

{{/* Volumes for /tmp, the credentials and the Kafka CA. Call with (dict "root" $ "secretName" name). */}}
{{- define "freshet.volumes" -}}
{{- $root := .root -}}
- name: tmp
  emptyDir:
    sizeLimit: 64Mi
{{- $wired := include "freshet.wiredSecrets" $root | fromYaml }}
{{- if $wired }}
- name: secrets
  secret:
    secretName: {{ .secretName }}
    defaultMode: 0440
    items:
    {{- range $var, $key := $wired }}
      - key: {{ $key }}
        path: {{ $var }}
    {{- end }}
{{- end }}
{{- with $root.Values.kafka.tls }}
{{- if and .enabled .caSecret.name }}
- name: kafka-ca
  secret:
    secretName: {{ .caSecret.name }}
    defaultMode: 0444
    items:
      - key: {{ .caSecret.key }}
        path: {{ .caSecret.key }}
{{- end }}
{{- end }}
{{- end }}

{{- define "freshet.volumeMounts" -}}
- name: tmp
  mountPath: /tmp
{{- if include "freshet.hasSecrets" . }}
- name: secrets
  mountPath: /etc/freshet/secrets
  readOnly: true
{{- end }}
{{- if and .Values.kafka.tls.enabled .Values.kafka.tls.caSecret.name }}
- name: kafka-ca
  mountPath: /etc/freshet/kafka-ca
  readOnly: true
{{- end }}
{{- end }}

{{/* Fixed, not configurable: every freshet container runs like this (non-root, read-only, no capabilities). */}}
{{- define "freshet.containerSecurityContext" -}}
runAsNonRoot: true
{{- with .Values.podSecurityContext.runAsUser }}
runAsUser: {{ . }}
{{- end }}
{{- with .Values.podSecurityContext.runAsGroup }}
runAsGroup: {{ . }}
{{- end }}
readOnlyRootFilesystem: true
allowPrivilegeEscalation: false
privileged: false
capabilities:
  drop: ["ALL"]
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{- define "freshet.podSecurityContext" -}}
runAsNonRoot: true
{{- with .Values.podSecurityContext.runAsUser }}
runAsUser: {{ . }}
{{- end }}
{{- with .Values.podSecurityContext.runAsGroup }}
runAsGroup: {{ . }}
{{- end }}
{{- with .Values.podSecurityContext.fsGroup }}
fsGroup: {{ . }}
{{- end }}
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/* Ports of "host:port" addresses (brokers, Milvus) and of URLs (registry, embedding API). */}}
{{- define "freshet.addressPorts" -}}
{{- $ports := list }}
{{- range . }}
{{- $m := regexFind ":[0-9]+$" . }}
{{- if $m }}{{ $ports = append $ports (trimPrefix ":" $m | int) }}{{ end }}
{{- end }}
{{- toJson (uniq $ports) }}
{{- end }}

{{- define "freshet.urlPorts" -}}
{{- $ports := list }}
{{- range . }}
{{- if . }}
{{- $u := urlParse . }}
{{- $m := regexFind ":[0-9]+$" $u.host }}
{{- if $m }}{{ $ports = append $ports (trimPrefix ":" $m | int) }}
{{- else if eq $u.scheme "http" }}{{ $ports = append $ports 80 }}
{{- else }}{{ $ports = append $ports 443 }}
{{- end }}
{{- end }}
{{- end }}
{{- toJson (uniq $ports) }}
{{- end }}

{{/* Whether the embedder calls an external embedding API (the local provider does not). */}}
{{- define "freshet.usesEmbeddingApi" -}}
{{- $e := .Values.embedding }}
{{- if eq $e.provider "openai" }}true
{{- else if and (eq $e.provider "") (hasKey (include "freshet.wiredSecrets" . | fromYaml) "FRESHET_EMBEDDING_API_KEY") }}true
{{- end }}
{{- end }}

{{/* Whether the embedder runs the local model: provider local, or none set and no API key (packages/config). */}}
{{- define "freshet.usesLocalModel" -}}
{{- $e := .Values.embedding }}
{{- if or (eq $e.provider "local") (and (eq $e.provider "") (not (include "freshet.usesEmbeddingApi" .))) }}true
{{- end }}
{{- end }}

{{/* Checks that stop a misconfigured release before anything is applied. */}}
{{- define "freshet.validate" -}}
{{- $partitions := int64 .Values.topics.partitions }}
{{- range $stage := splitList " " (include "freshet.stages" .) }}
{{- $s := index $.Values.stages $stage }}
{{- if $s.enabled }}
{{- if and $s.hpa.enabled $s.keda.enabled }}
{{- fail (printf "stages.%s: hpa and keda cannot both be enabled (both would drive the Deployment's replicas)" $stage) }}
{{- end }}
{{- if gt (int64 $s.replicas) $partitions }}
{{- fail (printf "stages.%s.replicas (%d) is above topics.partitions (%d): extra consumers would sit idle" $stage (int64 $s.replicas) $partitions) }}
{{- end }}
{{- if and $s.keda.enabled (gt (int64 $s.keda.maxReplicaCount) $partitions) }}
{{- fail (printf "stages.%s.keda.maxReplicaCount (%d) is above topics.partitions (%d): a consumer group cannot use more members than partitions" $stage (int64 $s.keda.maxReplicaCount) $partitions) }}
{{- end }}
{{- if and $s.keda.enabled (gt (int64 $s.keda.minReplicaCount) (int64 $s.keda.maxReplicaCount)) }}
{{- fail (printf "stages.%s.keda.minReplicaCount is above maxReplicaCount" $stage) }}
{{- end }}
{{- if and $s.hpa.enabled (gt (int64 $s.hpa.maxReplicas) $partitions) }}
{{- fail (printf "stages.%s.hpa.maxReplicas (%d) is above topics.partitions (%d): a consumer group cannot use more members than partitions" $stage (int64 $s.hpa.maxReplicas) $partitions) }}
{{- end }}
{{- if and $s.hpa.enabled (gt (int64 $s.hpa.minReplicas) (int64 $s.hpa.maxReplicas)) }}
{{- fail (printf "stages.%s.hpa.minReplicas is above maxReplicas" $stage) }}
{{- end }}
{{- end }}
{{- end }}
{{- if and (ne .Values.kafka.sasl.mechanism "none") (not .Values.kafka.sasl.username) }}
{{- fail "kafka.sasl.username is required when kafka.sasl.mechanism is not none" }}
{{- end }}
{{- if and (ne .Values.kafka.sasl.mechanism "none") (not (hasKey (include "freshet.wiredSecrets" . | fromYaml) "FRESHET_KAFKA_SASL_PASSWORD")) }}
{{- fail "kafka.sasl.mechanism needs a password: set secrets.kafkaSaslPassword, or secrets.existingSecretKeys.kafkaSaslPassword with secrets.existingSecret" }}
{{- end }}
{{- if and .Values.kafka.tls.caSecret.name (not .Values.kafka.tls.enabled) }}
{{- fail "kafka.tls.caSecret.name is set but kafka.tls.enabled is false" }}
{{- end }}
{{- if and (eq .Values.embedding.provider "openai") (not (hasKey (include "freshet.wiredSecrets" . | fromYaml) "FRESHET_EMBEDDING_API_KEY")) (not .Values.embedding.baseUrl) }}
{{- fail "embedding.provider openai needs an API key (secrets.embeddingApiKey or existingSecretKeys.embeddingApiKey) or an embedding.baseUrl of a keyless endpoint" }}
{{- end }}
{{- if .Values.secrets.existingSecret }}
{{- range $field := list "embeddingApiKey" "kafkaSaslPassword" "registryPassword" "milvusToken" }}
{{- if index $.Values.secrets $field }}
{{- fail (printf "secrets.%s is ignored when secrets.existingSecret is set: put it in that Secret and name its key in secrets.existingSecretKeys.%s" $field $field) }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}

{{/* Data of the chart-created Secret: one key per credential, named after its variable. */}}
{{- define "freshet.secretData" -}}
{{- $vars := include "freshet.secretVariables" . | fromYaml }}
{{- range $field, $var := $vars }}
{{- with index $.Values.secrets $field }}
{{ $var }}: {{ . | b64enc }}
{{- end }}
{{- end }}
{{- end }}

{{/* KEDA's names for the Kafka SASL mechanisms. */}}
{{- define "freshet.kedaSasl" -}}
{{- $m := .Values.kafka.sasl.mechanism }}
{{- if eq $m "plain" }}plaintext
{{- else if eq $m "scram-sha-256" }}scram_sha256
{{- else if eq $m "scram-sha-512" }}scram_sha512
{{- else }}none
{{- end }}
{{- end }}

{{- define "freshet.kedaNeedsAuth" -}}
{{- if or (ne .Values.kafka.sasl.mechanism "none") (and .Values.kafka.tls.enabled .Values.kafka.tls.caSecret.name) }}true{{ end }}
{{- end }}
