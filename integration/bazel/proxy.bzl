"""Repositories fetched through the Go module proxy, with the project's patches.

Bazel's rule sets for Go (rules_go, Gazelle) are Go modules too, so they come
from the same place as every other dependency (GOPROXY), never from a
download site. go_proxy_module runs `go mod download` for one module version,
checks the module's h1: sum, copies the module into the repository and applies
this project's patches (integration/bazel/patches) to it.
"""

def _go_proxy_module_impl(ctx):
    go = ctx.which("go")
    if go == None:
        fail("go_proxy_module(%s): no go command on PATH" % ctx.name)
    module = ctx.attr.module + "@" + ctx.attr.version
    ctx.report_progress("go mod download " + module)
    res = ctx.execute(
        [go, "mod", "download", "-json", module],
        environment = {"GO111MODULE": "on", "GOTOOLCHAIN": "local", "GOFLAGS": ""},
        timeout = 600,
    )
    if res.return_code != 0:
        fail("go_proxy_module(%s): go mod download %s: %s%s" % (ctx.name, module, res.stdout, res.stderr))
    info = json.decode(res.stdout)
    if info.get("Error"):
        fail("go_proxy_module(%s): %s: %s" % (ctx.name, module, info["Error"]))
    if ctx.attr.sum and info.get("Sum") != ctx.attr.sum:
        fail("go_proxy_module(%s): %s has sum %s, want %s" % (ctx.name, module, info.get("Sum"), ctx.attr.sum))

    # The module cache is read-only; the copy must be patchable.
    res = ctx.execute(["cp", "-R", info["Dir"] + "/.", "."])
    if res.return_code != 0:
        fail("go_proxy_module(%s): copy %s: %s" % (ctx.name, info["Dir"], res.stderr))
    ctx.execute(["chmod", "-R", "u+w", "."])
    for patch in ctx.attr.patches:
        ctx.patch(patch, strip = 1)

go_proxy_module = repository_rule(
    implementation = _go_proxy_module_impl,
    doc = "A Go module version from GOPROXY, checked against its sum and patched.",
    attrs = {
        "module": attr.string(mandatory = True, doc = "module path"),
        "version": attr.string(mandatory = True, doc = "module version"),
        "sum": attr.string(doc = "the module's h1: sum (as in go.sum)"),
        "patches": attr.label_list(allow_files = True, doc = "patches applied with -p1, in order"),
    },
    environ = ["GOPROXY", "GOMODCACHE", "GOPATH", "GOFLAGS", "GONOSUMDB", "GOSUMDB"],
)
