// Package kube is the small part of the Kubernetes API the cluster benchmark
// needs — Job and Pod types with the API's JSON names, and a REST client
// configured from a kubeconfig — so that runsc-ai does not link client-go,
// whose package initialisation alone costs ~30 ms on every runsc-ai start
// (sandbox and gofer included).
package kube

// ObjectMeta is metav1.ObjectMeta's subset.
type ObjectMeta struct {
	Name        string            `json:"name,omitempty"`
	Namespace   string            `json:"namespace,omitempty"`
	Labels      map[string]string `json:"labels,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
}

// Job is batch/v1 Job.
type Job struct {
	APIVersion string     `json:"apiVersion"`
	Kind       string     `json:"kind"`
	Metadata   ObjectMeta `json:"metadata"`
	Spec       JobSpec    `json:"spec"`
	Status     *JobStatus `json:"status,omitempty"`
}

// JobSpec is batch/v1 JobSpec's subset.
type JobSpec struct {
	BackoffLimit          *int32          `json:"backoffLimit,omitempty"`
	ActiveDeadlineSeconds *int64          `json:"activeDeadlineSeconds,omitempty"`
	Completions           *int32          `json:"completions,omitempty"`
	Template              PodTemplateSpec `json:"template"`
}

// JobStatus is batch/v1 JobStatus's subset.
type JobStatus struct {
	Succeeded int32 `json:"succeeded,omitempty"`
	Failed    int32 `json:"failed,omitempty"`
}

// PodTemplateSpec is core/v1 PodTemplateSpec.
type PodTemplateSpec struct {
	Metadata ObjectMeta `json:"metadata"`
	Spec     PodSpec    `json:"spec"`
}

// PodSpec is core/v1 PodSpec's subset.
type PodSpec struct {
	RestartPolicy    string            `json:"restartPolicy,omitempty"`
	RuntimeClassName *string           `json:"runtimeClassName,omitempty"`
	NodeSelector     map[string]string `json:"nodeSelector,omitempty"`
	Containers       []Container       `json:"containers"`
	Volumes          []Volume          `json:"volumes,omitempty"`
}

// Container is core/v1 Container's subset.
type Container struct {
	Name         string        `json:"name"`
	Image        string        `json:"image"`
	Command      []string      `json:"command,omitempty"`
	VolumeMounts []VolumeMount `json:"volumeMounts,omitempty"`
	Resources    Resources     `json:"resources,omitempty"`
}

// VolumeMount is core/v1 VolumeMount's subset.
type VolumeMount struct {
	Name      string `json:"name"`
	MountPath string `json:"mountPath"`
	ReadOnly  bool   `json:"readOnly,omitempty"`
}

// Resources is core/v1 ResourceRequirements (quantities as strings).
type Resources struct {
	Requests map[string]string `json:"requests,omitempty"`
	Limits   map[string]string `json:"limits,omitempty"`
}

// Volume is core/v1 Volume with the two sources used here.
type Volume struct {
	Name     string    `json:"name"`
	HostPath *HostPath `json:"hostPath,omitempty"`
	EmptyDir *EmptyDir `json:"emptyDir,omitempty"`
}

// HostPath is core/v1 HostPathVolumeSource.
type HostPath struct {
	Path string `json:"path"`
	Type string `json:"type,omitempty"`
}

// EmptyDir is core/v1 EmptyDirVolumeSource (no options used).
type EmptyDir struct{}

// Pod is the part of core/v1 Pod read back.
type Pod struct {
	Metadata ObjectMeta `json:"metadata"`
}

// PodList is core/v1 PodList's subset.
type PodList struct {
	Items []Pod `json:"items"`
}

// Status is metav1.Status, the API's error body.
type Status struct {
	Message string `json:"message"`
	Reason  string `json:"reason"`
	Code    int    `json:"code"`
}
