{{/*
A device plugin DaemonSet on the platform's GPU pools (by their pool label), as in the upstream manifests. Takes a dict:
root, name, image, pools, env. Device plugins register a socket in the kubelet's device-plugin directory (a hostPath)
and run as root for it: the one exception to the chart's restricted containers.
*/}}
{{- define "vpctune.devicePluginDaemonSet" -}}
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: {{ .name }}
  namespace: kube-system
  labels:
    {{- include "vpctune.labels" .root | nindent 4 }}
    app.kubernetes.io/name: {{ .name }}
spec:
  selector:
    matchLabels:
      app.kubernetes.io/name: {{ .name }}
  updateStrategy:
    type: RollingUpdate
  template:
    metadata:
      labels:
        {{- include "vpctune.labels" .root | nindent 8 }}
        app.kubernetes.io/name: {{ .name }}
    spec:
      priorityClassName: system-node-critical
      automountServiceAccountToken: false
      securityContext:
        seccompProfile:
          type: RuntimeDefault
      affinity:
        nodeAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            nodeSelectorTerms:
              - matchExpressions:
                  - key: vpctune.dev/pool
                    operator: In
                    values:
                      {{- range .pools }}
                      - {{ . | quote }}
                      {{- end }}
      tolerations:
        - key: nvidia.com/gpu
          operator: Exists
          effect: NoSchedule
        - key: CriticalAddonsOnly
          operator: Exists
      containers:
        - name: {{ .name }}
          image: {{ include "vpctune.image" .image | quote }}
          {{- with .env }}
          env:
            {{- toYaml . | nindent 12 }}
          {{- end }}
          securityContext:
            allowPrivilegeEscalation: false
            capabilities:
              drop: [ALL]
          resources:
            requests:
              cpu: 10m
              memory: 20Mi
          volumeMounts:
            - name: device-plugin
              mountPath: /var/lib/kubelet/device-plugins
      volumes:
        - name: device-plugin
          hostPath:
            path: /var/lib/kubelet/device-plugins
{{- end -}}
