// Package host discovers the facts about the host that runsc-ai's decisions
// depend on: CPU architecture, model and features, core count, memory, the
// cgroup hierarchy and its controllers, PSI, KVM usability and which gVisor
// platforms work.
//
// Every fact carries the file or probe it came from. Discovery reads files
// below a root directory so that recorded fixture trees (testdata/) can stand
// in for a live machine; a missing or malformed file yields a fact with an
// error and discovery carries on — it never panics and never fails as a whole.
package host
