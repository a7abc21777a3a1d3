{{/*
The platform namespace and service-account names are platform conventions (constructs/platform/conventions.ts): the
cloud identities trust exactly these, so they are not values.
*/}}
{{- define "vpctune.namespace" -}}vpctune{{- end -}}
{{- define "vpctune.controllerName" -}}vpctune-controller{{- end -}}
{{- define "vpctune.trainerName" -}}vpctune-trainer{{- end -}}
{{- define "vpctune.serverName" -}}vpctune-server{{- end -}}
{{- define "vpctune.autoscalerName" -}}cluster-autoscaler{{- end -}}

{{/* The release must live in the platform namespace: the controller creates its Jobs there. */}}
{{- define "vpctune.checkNamespace" -}}
{{- if ne .Release.Namespace (include "vpctune.namespace" .) -}}
{{- fail (printf "the vpctune chart installs into namespace %s (the platform namespace the controller's Jobs use), not %s: pass --namespace %s" (include "vpctune.namespace" .) .Release.Namespace (include "vpctune.namespace" .)) -}}
{{- end -}}
{{- end -}}

{{/* Labels of every object. */}}
{{- define "vpctune.labels" -}}
app.kubernetes.io/part-of: vpctune
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
vpctune.dev/platform: {{ .Values.platform.name | quote }}
{{- end -}}

{{/* An image reference from {repository, tag, digest}: by digest when one is given. */}}
{{- define "vpctune.image" -}}
{{- if .digest -}}{{ printf "%s@%s" .repository .digest }}{{- else -}}{{ printf "%s:%s" .repository .tag }}{{- end -}}
{{- end -}}

{{/* A service account's identity annotation, when the cloud and the account have one. Takes (list root identity). */}}
{{- define "vpctune.identityAnnotations" -}}
{{- $root := index . 0 -}}
{{- $identity := index . 1 -}}
{{- if and $root.Values.workloadIdentity.annotationKey $identity }}
annotations:
  {{ $root.Values.workloadIdentity.annotationKey }}: {{ $identity | quote }}
{{- end -}}
{{- end -}}

{{/* The restricted security context of every platform container. */}}
{{- define "vpctune.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
capabilities:
  drop: [ALL]
seccompProfile:
  type: RuntimeDefault
{{- end -}}
