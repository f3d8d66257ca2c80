package testenv

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// APIServer is a real Kubernetes control plane's storage and API: Debian's
// etcd and kube-apiserver built from the k8s.io/kubernetes module
// (integration/kubernetes/build-apiserver.sh), on loopback, with a static
// admin token. No scheduler or kubelet: objects are stored and validated,
// never run.
type APIServer struct {
	Kubeconfig string
	URL        string
	Token      string
	// SAKey signs service account tokens (for a controller-manager).
	SAKey string
}

// StartAPIServer starts etcd and kube-apiserver for the test and stops them
// (and removes their data) when it ends.
func StartAPIServer(t testing.TB) *APIServer {
	t.Helper()
	etcd, err := exec.LookPath("etcd")
	if err != nil {
		t.Fatalf("etcd not installed (apt install etcd-server; make deps does): %v", err)
	}
	apiserver := os.Getenv("KUBE_APISERVER_BIN")
	if apiserver == "" {
		out, err := exec.Command("sh", filepath.Join(RepoRoot(), "integration", "kubernetes", "build-apiserver.sh")).Output()
		if err != nil {
			t.Fatalf("building kube-apiserver: %v", err)
		}
		apiserver = strings.TrimSpace(string(out))
	}
	dir := t.TempDir()
	ports := FreePorts(t, 3)
	etcdURL := fmt.Sprintf("http://127.0.0.1:%d", ports[0])
	peer := fmt.Sprintf("http://127.0.0.1:%d", ports[1])
	StartDaemon(t, filepath.Join(dir, "etcd.log"), etcd, "--name=default", "--data-dir="+filepath.Join(dir, "etcd"),
		"--listen-client-urls="+etcdURL, "--advertise-client-urls="+etcdURL,
		"--listen-peer-urls="+peer, "--initial-advertise-peer-urls="+peer, "--initial-cluster=default="+peer)

	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	pub, _ := x509.MarshalPKIXPublicKey(&key.PublicKey)
	os.WriteFile(filepath.Join(dir, "sa.key"), keyPEM, 0o600)
	os.WriteFile(filepath.Join(dir, "sa.pub"), pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub}), 0o600)
	token := fmt.Sprintf("runsc-ai-test-%d", time.Now().UnixNano())
	os.WriteFile(filepath.Join(dir, "tokens.csv"), []byte(token+`,admin,admin,"system:masters"`+"\n"), 0o600)
	url := fmt.Sprintf("https://127.0.0.1:%d", ports[2])
	StartDaemon(t, filepath.Join(dir, "apiserver.log"), apiserver,
		"--etcd-servers="+etcdURL, fmt.Sprintf("--secure-port=%d", ports[2]), "--bind-address=127.0.0.1",
		"--advertise-address=127.0.0.1", "--cert-dir="+filepath.Join(dir, "certs"),
		"--token-auth-file="+filepath.Join(dir, "tokens.csv"), "--authorization-mode=RBAC",
		"--service-account-issuer=https://kubernetes.default.svc", "--service-account-key-file="+filepath.Join(dir, "sa.pub"),
		"--service-account-signing-key-file="+filepath.Join(dir, "sa.key"), "--service-cluster-ip-range=10.96.0.0/24",
		// No controller-manager creates default service accounts here.
		"--disable-admission-plugins=ServiceAccount")

	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	deadline := time.Now().Add(2 * time.Minute)
	for {
		req, _ := http.NewRequest(http.MethodGet, url+"/readyz", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := client.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("kube-apiserver not ready: %v\n%s", err, TailFile(filepath.Join(dir, "apiserver.log"), 3000))
		}
		time.Sleep(500 * time.Millisecond)
	}
	kc := filepath.Join(dir, "kubeconfig")
	os.WriteFile(kc, []byte(fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: test
  cluster:
    server: %s
    insecure-skip-tls-verify: true
users:
- name: admin
  user:
    token: %s
contexts:
- name: test
  context: {cluster: test, user: admin}
current-context: test
`, url, token)), 0o600)
	return &APIServer{Kubeconfig: kc, URL: url, Token: token, SAKey: filepath.Join(dir, "sa.key")}
}

// StartDaemon starts bin in its own process group with its output in
// logPath, and stops the whole group (SIGTERM, then SIGKILL after 10 s) when
// the test ends.
func StartDaemon(t testing.TB, logPath, bin string, args ...string) {
	t.Helper()
	log, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatalf("%s: %v", bin, err)
	}
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
		log.Close()
	})
}

// FreePorts returns n loopback TCP ports free right now.
func FreePorts(t testing.TB, n int) []int {
	t.Helper()
	var ls []net.Listener
	var ports []int
	for i := 0; i < n; i++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	for _, l := range ls {
		l.Close()
	}
	return ports
}

// TailFile is the last n bytes of a (log) file, for failure messages.
func TailFile(path string, n int) string {
	b, _ := os.ReadFile(path)
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}
