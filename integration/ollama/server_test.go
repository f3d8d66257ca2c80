package ollama_test

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/go-os-agent/runsc-ai/integration/ollama/tinygguf"
	"github.com/go-os-agent/runsc-ai/integration/testenv"
)

// modelName is the tiny random-weight model the tests create.
const modelName = "runsc-ai-tiny"

var (
	serverOnce sync.Once
	serverURL  string
	serverErr  error
)

// realOllama starts one real ollama server per test process, on loopback
// with a private model store, and creates the tiny model in it.
func realOllama(t testing.TB) string {
	t.Helper()
	serverOnce.Do(func() { serverURL, serverErr = startOllama() })
	if serverErr != nil {
		t.Fatalf("ollama: %v", serverErr)
	}
	return serverURL
}

func ollamaBinary() (string, error) {
	if b := os.Getenv("OLLAMA_BIN"); b != "" {
		return b, nil
	}
	// Builds once (minutes), then reuses the cached binary.
	out, err := exec.Command("sh", filepath.Join(testenv.RepoRoot(), "integration", "ollama", "build.sh")).Output()
	if err != nil {
		return "", fmt.Errorf("building ollama: %w", err)
	}
	return strings.TrimSpace(string(out)), nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func startOllama() (string, error) {
	bin, err := ollamaBinary()
	if err != nil {
		return "", err
	}
	dir, err := os.MkdirTemp("", "runsc-ai-ollama-")
	if err != nil {
		return "", err
	}
	port, err := freePort()
	if err != nil {
		return "", err
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	env := append(os.Environ(), "OLLAMA_HOST="+addr, "OLLAMA_MODELS="+filepath.Join(dir, "models"), "OLLAMA_NOHISTORY=1", "HOME="+dir)
	log, err := os.Create(filepath.Join(dir, "serve.log"))
	if err != nil {
		return "", err
	}
	srv := exec.Command(bin, "serve")
	srv.Env, srv.Stdout, srv.Stderr = env, log, log
	// ollama serve starts "ollama runner" children; its own process group
	// lets teardown end them too (killing serve alone orphans them).
	srv.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := srv.Start(); err != nil {
		return "", fmt.Errorf("ollama serve: %w", err)
	}
	serverCmd = srv
	serverDir = dir
	url := "http://" + addr
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(url + "/api/version")
		if err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			return "", fmt.Errorf("ollama did not answer on %s (log %s)", addr, log.Name())
		}
		time.Sleep(100 * time.Millisecond)
	}
	gguf := filepath.Join(dir, "tiny.gguf")
	if err := tinygguf.Write(gguf, 1); err != nil {
		return "", err
	}
	mf := filepath.Join(dir, "Modelfile")
	// A raw template: the model sees exactly the engine's prompt.
	if err := os.WriteFile(mf, []byte("FROM "+gguf+"\nTEMPLATE \"{{ .Prompt }}\"\n"), 0o644); err != nil {
		return "", err
	}
	create := exec.Command(bin, "create", modelName, "-f", mf)
	create.Env = env
	if out, err := create.CombinedOutput(); err != nil {
		return "", fmt.Errorf("ollama create: %w: %s", err, out)
	}
	return url, nil
}

var (
	serverCmd *exec.Cmd
	serverDir string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if serverCmd != nil {
		syscall.Kill(-serverCmd.Process.Pid, syscall.SIGKILL)
		serverCmd.Wait()
		os.RemoveAll(serverDir)
	}
	os.Exit(code)
}
