{{- define "pakn.labels" -}}
app.kubernetes.io/part-of: pakn
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}
