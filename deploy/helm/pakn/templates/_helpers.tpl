{{- define "pakn.labels" -}}
app.kubernetes.io/part-of: pakn
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}


{{/* The TLS Secret of one process: (list $ "intake") -> "<prefix>-intake". */}}
{{- define "pakn.tlsSecret" -}}
{{- $root := index . 0 -}}
{{- default (printf "%s-tls" $root.Release.Name) $root.Values.tls.secretPrefix }}-{{ index . 1 }}
{{- end -}}
