package main

import (
	"github.com/google/subcommands"
	"gvisor.dev/gvisor/runsc/cmd"
	"gvisor.dev/gvisor/runsc/cmd/alias"
	"gvisor.dev/gvisor/runsc/cmd/nvproxy"
	"gvisor.dev/gvisor/runsc/cmd/profile"
	"gvisor.dev/gvisor/runsc/cmd/sentry/sentrycmd"
	"gvisor.dev/gvisor/runsc/cmd/trace"
	"gvisor.dev/gvisor/runsc/cmd/util"

	"github.com/go-os-agent/runsc-ai/runsc-ai/createtime"
	"github.com/go-os-agent/runsc-ai/runsc-ai/node"

	// The checkpoint gofer is a sidecar that runsc embeds; runsc-ai must embed
	// it too or checkpoint/restore of rootfs state breaks.
	_ "gvisor.dev/gvisor/runsc/gvisorbinaries/embed"
)

// Command groups, as runsc shows them in --help, plus our own.
const (
	userGroup     = ""
	helperGroup   = "helpers"
	debugGroup    = "debug"
	metricGroup   = "metrics"
	internalGroup = "internal use only"
	aiGroup       = "runsc-ai"
)

// runscCommands is the exact command set of gVisor's runsc (runsc/cli/maincli),
// which does not export it. Keep it in step when the gVisor module is bumped:
// TestHelpListsEveryRunscCommand compares it with `runsc --help`.
func runscCommands() map[util.SubCommand]string {
	cmds := map[util.SubCommand]string{
		// OCI user-facing commands.
		new(cmd.Checkpoint): userGroup,
		new(cmd.Create):     userGroup,
		new(cmd.Delete):     userGroup,
		new(cmd.Events):     userGroup,
		new(cmd.Exec):       userGroup,
		new(cmd.Kill):       userGroup,
		new(cmd.List):       userGroup,
		new(cmd.PS):         userGroup,
		new(cmd.Pause):      userGroup,
		new(cmd.Restore):    userGroup,
		new(cmd.Resume):     userGroup,
		new(cmd.Run):        userGroup,
		new(cmd.Spec):       userGroup,
		new(cmd.Start):      userGroup,
		new(cmd.State):      userGroup,
		new(cmd.Update):     userGroup,
		new(cmd.Wait):       userGroup,

		// Non-OCI user-facing commands.
		new(cmd.Do):           userGroup,
		new(cmd.FSCheckpoint): userGroup,
		new(cmd.PortForward):  userGroup,
		new(cmd.Read):         userGroup,
		new(cmd.SandboxExec):  userGroup,
		new(cmd.Tar):          userGroup,

		// Helpers.
		new(cmd.Install):     helperGroup,
		new(cmd.Mitigate):    helperGroup,
		new(cmd.Uninstall):   helperGroup,
		new(nvproxy.Nvproxy): helperGroup,
		new(trace.Trace):     helperGroup,
		new(cmd.CPUFeatures): helperGroup,
		new(cmd.Features):    helperGroup,

		new(cmd.Debug):        debugGroup,
		new(profile.Profile):  debugGroup,
		new(cmd.Statefile):    debugGroup,
		new(cmd.Symbolize):    debugGroup,
		new(cmd.Usage):        debugGroup,
		new(cmd.ReadControl):  debugGroup,
		new(cmd.WriteControl): debugGroup,

		new(cmd.MetricMetadata): metricGroup,
		new(cmd.MetricExport):   metricGroup,
		new(cmd.MetricServer):   metricGroup,

		// Internal commands: the sandbox and gofer processes are re-executions
		// of this binary, so these must be present for anything to boot.
		new(sentrycmd.Boot):   internalGroup,
		new(cmd.Gofer):        internalGroup,
		new(sentrycmd.Umount): internalGroup,
	}
	for k, v := range alias.Commands() {
		cmds[k] = v
	}
	return cmds
}

// helpTopics are the `runsc help <topic>` pages runsc has.
func helpTopics() []subcommands.Command {
	return []subcommands.Command{new(cmd.Platforms), new(cmd.Syscalls)}
}

// allCommands is runsc's command set, with create-time decisions wrapped
// around create, run and do (and their outcome around delete), plus the
// commands runsc-ai adds.
func allCommands(o *node.Options) map[util.SubCommand]string {
	cmds := map[util.SubCommand]string{}
	for c, group := range withNamedErrors(runscCommands()) {
		c = createtime.Wrap(c, o)
		switch c.Name() {
		case "install": // Docker's daemon.json, edited safely (see install.go)
			c = new(installCmd)
		case "uninstall":
			c = new(uninstallCmd)
		}
		cmds[c] = group
	}
	cmds[&hostCmd{opts: o}] = aiGroup
	cmds[&decideCmd{opts: o}] = aiGroup
	cmds[&explainCmd{opts: o}] = aiGroup
	cmds[&behaviourCmd{opts: o}] = aiGroup
	cmds[new(policyCmd)] = aiGroup
	cmds[new(benchCmd)] = aiGroup
	cmds[newAgentCmd(o)] = aiGroup
	cmds[new(benchWorkloadCmd)] = internalGroup
	return cmds
}
