{{- define "memory-engine.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "memory-engine.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "memory-engine.selectorLabels" -}}
app.kubernetes.io/name: {{ include "memory-engine.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "memory-engine.labels" -}}
{{ include "memory-engine.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "memory-engine.secretName" -}}
{{- default (include "memory-engine.fullname" .) .Values.existingSecret -}}
{{- end -}}

{{/* The pod: the same in both modes but for the data directory's volume. */}}
{{- define "memory-engine.podSpec" -}}
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
terminationGracePeriodSeconds: {{ add (div .Values.shutdown.graceMs 1000) .Values.shutdown.preStopSeconds .Values.shutdown.checkpointSeconds }}
containers:
  - name: memory-engine
    image: "{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}"
    imagePullPolicy: {{ .Values.image.pullPolicy }}
    ports:
      - { name: grpc, containerPort: {{ .Values.ports.grpc }}, protocol: TCP }
      - { name: metrics, containerPort: {{ .Values.ports.metrics }}, protocol: TCP }
    env:
      - { name: GRPC_ADDRESS, value: "0.0.0.0:{{ .Values.ports.grpc }}" }
      - { name: HTTP_ADDRESS, value: "0.0.0.0:{{ .Values.ports.metrics }}" }
      - { name: DATA_DIR, value: /var/lib/memory-engine }
      - { name: SHUTDOWN_GRACE_MS, value: {{ .Values.shutdown.graceMs | quote }} }
      {{- range $name, $value := .Values.env }}
      - { name: {{ $name }}, value: {{ $value | quote }} }
      {{- end }}
    {{- if eq .Values.mode "production" }}
    envFrom:
      - secretRef:
          name: {{ include "memory-engine.secretName" . }}
    {{- end }}
    startupProbe:
      grpc: { port: {{ .Values.ports.grpc }}, service: memory.v1.MemoryService }
      periodSeconds: 2
      failureThreshold: 150
    livenessProbe:
      httpGet: { path: /healthz, port: metrics }
      periodSeconds: 10
      failureThreshold: 3
    readinessProbe:
      grpc: { port: {{ .Values.ports.grpc }}, service: memory.v1.MemoryService }
      periodSeconds: 5
      failureThreshold: 2
    lifecycle:
      preStop:
        # Endpoints drop the pod while it still serves; then SIGTERM starts the drain.
        exec: { command: [sleep, "{{ .Values.shutdown.preStopSeconds }}"] }
    resources:
      {{- toYaml .Values.resources | nindent 6 }}
    securityContext:
      allowPrivilegeEscalation: false
      readOnlyRootFilesystem: true
      capabilities: { drop: [ALL] }
    volumeMounts:
      - { name: data, mountPath: /var/lib/memory-engine }
      - { name: tmp, mountPath: /tmp }
volumes:
  - name: tmp
    emptyDir: {}
  {{- if eq .Values.mode "production" }}
  # Production keeps nothing of its own on disk: the data directory is scratch.
  - name: data
    emptyDir: {}
  {{- end }}
{{- with .Values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}
