{{/* Egress to the cluster DNS (UDP and TCP 53). */}}
{{- define "vpctune.egressDns" -}}
- to:
    - namespaceSelector:
        matchLabels:
          kubernetes.io/metadata.name: {{ .Values.networkPolicy.dns.namespace }}
      podSelector:
        matchLabels:
          {{- toYaml .Values.networkPolicy.dns.podLabels | nindent 10 }}
  ports:
    - { protocol: UDP, port: 53 }
    - { protocol: TCP, port: 53 }
{{- end -}}

{{/* Egress over HTTPS to the object store and the cloud's identity endpoints. */}}
{{- define "vpctune.egressObjectStore" -}}
- to:
    {{- range .Values.networkPolicy.objectStoreCidrs }}
    - ipBlock:
        cidr: {{ . }}
    {{- end }}
  ports:
    - { protocol: TCP, port: 443 }
{{- end -}}
