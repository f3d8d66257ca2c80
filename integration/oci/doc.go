// Package oci holds runsc-ai's end-to-end tests of the OCI runtime interface:
// real gVisor sandboxes on the systrap platform, driven through the runsc-ai
// binary exactly as Docker, containerd and users drive runsc.
package oci
