//go:build integration

package integration

import (
	"bytes"
	"errors"
	"io"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// Docker cannot run here, so deploy/ is checked for what can be checked
// without it: every file parses, image tags are pinned, every collector
// config a service runs validates with the built binary in that service's
// environment, and the host:port a service points at is a port the target
// service exposes.

// composeFile is the part of a compose file the checks read.
type composeFile struct {
	Services map[string]composeService `yaml:"services"`
	Volumes  map[string]any            `yaml:"volumes"`
}

type composeService struct {
	Image       string            `yaml:"image"`
	Build       any               `yaml:"build"`
	Command     []string          `yaml:"command"`
	Environment map[string]string `yaml:"environment"`
	Volumes     []string          `yaml:"volumes"`
	Ports       []string          `yaml:"ports"`
	Expose      []string          `yaml:"expose"`
	DependsOn   map[string]any    `yaml:"depends_on"`
	Healthcheck map[string]any    `yaml:"healthcheck"`
}

func deployPath(parts ...string) string {
	return filepath.Join(append([]string{suite.repoRoot, "deploy"}, parts...)...)
}

func loadCompose(t *testing.T) composeFile {
	t.Helper()
	data, err := os.ReadFile(deployPath("compose", "compose.yaml"))
	require.NoError(t, err)
	var c composeFile
	require.NoError(t, yaml.Unmarshal(data, &c))
	return c
}

// composeEnv reads deploy/compose/.env.example, what users copy to .env.
func composeEnv(t *testing.T) map[string]string {
	t.Helper()
	data, err := os.ReadFile(deployPath("compose", ".env.example"))
	require.NoError(t, err)
	env := map[string]string{}
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		require.True(t, ok, line)
		env[k] = v
	}
	return env
}

var composeVar = regexp.MustCompile(`\$\{([A-Z_]+)(?::?[-?]([^}]*))?\}`)

// interpolate resolves compose ${VAR:-default} and ${VAR:?message} from env.
func interpolate(s string, env map[string]string) string {
	return composeVar.ReplaceAllStringFunc(s, func(m string) string {
		sub := composeVar.FindStringSubmatch(m)
		if v, ok := env[sub[1]]; ok {
			return v
		}
		if strings.Contains(m, ":-") {
			return sub[2]
		}
		return ""
	})
}

var pinnedImage = regexp.MustCompile(`^[a-z0-9./_-]+:[0-9][0-9A-Za-z.+_-]*$`)

func TestComposeParsesAndPinsImages(t *testing.T) {
	c := loadCompose(t)
	for _, name := range []string{"kafka", "clickhouse", "elasticsearch", "jaeger", "grafana", "agent", "gateway"} {
		require.Contains(t, c.Services, name)
	}
	for name, s := range c.Services {
		t.Run(name, func(t *testing.T) {
			assert.Regexp(t, pinnedImage, s.Image, "image tag must be a pinned version, not latest")
			for _, p := range s.Ports {
				assert.True(t, strings.HasPrefix(p, "127.0.0.1:"), "%s publishes %s beyond loopback", name, p)
			}
			for _, v := range s.Volumes {
				src := strings.SplitN(v, ":", 2)[0]
				if strings.HasPrefix(src, ".") {
					_, err := os.Stat(deployPath("compose", src))
					assert.NoError(t, err, "bind mount source %s", src)
				} else {
					assert.Contains(t, c.Volumes, src, "named volume %s is declared", src)
				}
			}
			for dep := range s.DependsOn {
				assert.Contains(t, c.Services, dep)
			}
			for k, v := range s.Environment {
				if strings.Contains(strings.ToUpper(k), "PASSWORD") {
					assert.Contains(t, v, "${", "%s.%s must come from the environment, not the file", name, k)
				}
			}
		})
	}
	for _, name := range []string{"kafka", "clickhouse", "elasticsearch", "jaeger", "grafana"} {
		assert.NotEmpty(t, c.Services[name].Healthcheck, "%s has a health check", name)
	}
}

// Each collector service's configs validate with the built binary, in the
// environment the service sets (plus the image's), and every host:port it
// points at is a port the named service exposes.
func TestComposeCollectorConfigs(t *testing.T) {
	c := loadCompose(t)
	env := composeEnv(t)
	imageEnv := dockerfileEnv(t)
	for _, name := range []string{"agent", "gateway"} {
		t.Run(name, func(t *testing.T) {
			s := c.Services[name]
			mounts := map[string]string{"/etc/otelcol-events": filepath.Join(suite.repoRoot, "config")}
			for _, v := range s.Volumes {
				parts := strings.Split(v, ":")
				if strings.HasPrefix(parts[0], ".") {
					mounts[parts[1]] = deployPath("compose", parts[0])
				}
			}
			var args []string
			for i, a := range s.Command {
				if i > 0 && s.Command[i-1] == "--config" {
					args = append(args, "--config", hostPath(t, a, mounts))
				}
			}
			require.NotEmpty(t, args)
			vars := map[string]string{}
			for k, v := range imageEnv {
				vars[k] = v
			}
			// Geo databases are in the image; here the test fixtures stand in.
			vars["GEOIP_CITY_IPV4_MMDB"], vars["GEOIP_CITY_IPV6_MMDB"] = suite.geoIPv4, suite.geoIPv6
			for k, v := range s.Environment {
				vars[k] = interpolate(v, env)
				checkTarget(t, c, name, k, vars[k])
			}
			out, err := runBinaryEnv(t, vars, append([]string{"validate"}, args...)...)
			require.NoError(t, err, out)
			for k := range s.Environment {
				assert.True(t, configsRead(t, args, k), "%s sets %s, which none of its configs reads", name, k)
			}
		})
	}
}

// hostPath maps a container path to the repository file mounted there.
func hostPath(t *testing.T, p string, mounts map[string]string) string {
	t.Helper()
	best := ""
	for mount := range mounts {
		if (p == mount || strings.HasPrefix(p, mount+"/")) && len(mount) > len(best) {
			best = mount
		}
	}
	require.NotEmpty(t, best, "no mount or image file for %s", p)
	if p == best {
		return mounts[best]
	}
	return filepath.Join(mounts[best], strings.TrimPrefix(p, best+"/"))
}

var hostPort = regexp.MustCompile(`^(?:[a-z]+://)?([a-z][a-z0-9-]*):([0-9]+)$`)

// checkTarget: an environment value "service:port" names a compose
// service that exposes that port.
func checkTarget(t *testing.T, c composeFile, from, key, value string) {
	m := hostPort.FindStringSubmatch(value)
	if m == nil {
		return
	}
	target, ok := c.Services[m[1]]
	if !ok {
		return // not a service name (e.g. a host)
	}
	assert.Contains(t, target.Expose, m[2], "%s.%s=%s: %s does not expose port %s", from, key, value, m[1], m[2])
}

func configsRead(t *testing.T, configs []string, key string) bool {
	for i := 1; i < len(configs); i += 2 {
		data, err := os.ReadFile(configs[i])
		require.NoError(t, err)
		if bytes.Contains(data, []byte("${env:"+key+":")) || bytes.Contains(data, []byte("${env:"+key+"}")) {
			return true
		}
	}
	return false
}

var dockerEnvLine = regexp.MustCompile(`^\s*(?:ENV\s+)?([A-Z0-9_]+)=(\S+?)\s*\\?$`)

// dockerfileEnv reads the ENV block of deploy/Dockerfile's runtime stage.
func dockerfileEnv(t *testing.T) map[string]string {
	t.Helper()
	data, err := os.ReadFile(deployPath("Dockerfile"))
	require.NoError(t, err)
	env := map[string]string{}
	inEnv := false
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "ENV ") {
			inEnv = true
		}
		if !inEnv {
			continue
		}
		if m := dockerEnvLine.FindStringSubmatch(line); m != nil {
			env[m[1]] = m[2]
		}
		if !strings.HasSuffix(strings.TrimSpace(line), "\\") {
			inEnv = false
		}
	}
	require.Contains(t, env, "HEALTH_ENDPOINT")
	return env
}

func TestDockerfile(t *testing.T) {
	data, err := os.ReadFile(deployPath("Dockerfile"))
	require.NoError(t, err)
	text := string(data)
	for _, from := range regexp.MustCompile(`(?m)^FROM (\S+)`).FindAllStringSubmatch(text, -1) {
		img := from[1]
		if img == "scratch" {
			continue
		}
		assert.Regexp(t, `:\$\{[A-Z_]+\}|:[0-9]`, img, "base image %s is pinned", img)
	}
	assert.Contains(t, text, "USER 10001:10001", "runs as non-root")
	assert.Contains(t, text, "builder-config.yaml", "builds the same ocb manifest")
	assert.Contains(t, text, "HEALTHCHECK")
	env := dockerfileEnv(t)
	assert.Contains(t, text, "EXPOSE "+strings.Join([]string{
		port(env["OTLP_GRPC_ENDPOINT"]), port(env["OTLP_HTTP_ENDPOINT"]), port(env["EVENTS_ENDPOINT"]),
		port(env["ZIPKIN_ENDPOINT"]), port(env["JAEGER_GRPC_ENDPOINT"]), port(env["JAEGER_THRIFT_HTTP_ENDPOINT"]),
		port(env["JAEGER_THRIFT_COMPACT_ENDPOINT"]) + "/udp",
		port(env["HEALTH_ENDPOINT"]), env["METRICS_PORT"],
	}, " ")+"\n", "EXPOSE lists every port the environment opens to the network")
	for _, debug := range []string{"ZPAGES_ENDPOINT", "PPROF_ENDPOINT"} {
		assert.True(t, strings.HasPrefix(env[debug], "127.0.0.1:"), "%s listens on the container's loopback only, not %s", debug, env[debug])
	}
	assert.Contains(t, text, `"http://127.0.0.1:`+port(env["HEALTH_ENDPOINT"])+`/"`, "the health check probes the health endpoint")
}

func port(hostport string) string { return hostport[strings.LastIndexByte(hostport, ':')+1:] }

// k8sObject is the part of a Kubernetes object the checks read.
type k8sObject struct {
	Kind     string `yaml:"kind"`
	Metadata struct {
		Name      string `yaml:"name"`
		Namespace string `yaml:"namespace"`
	} `yaml:"metadata"`
	Data map[string]string `yaml:"data"`
	Spec struct {
		Template struct {
			Spec struct {
				Containers []struct {
					Image string   `yaml:"image"`
					Args  []string `yaml:"args"`
					Env   []struct {
						Name  string `yaml:"name"`
						Value string `yaml:"value"`
					} `yaml:"env"`
					Ports []struct {
						Name          string `yaml:"name"`
						ContainerPort int    `yaml:"containerPort"`
					} `yaml:"ports"`
					ReadinessProbe map[string]any `yaml:"readinessProbe"`
					LivenessProbe  map[string]any `yaml:"livenessProbe"`
					Resources      map[string]any `yaml:"resources"`
				} `yaml:"containers"`
			} `yaml:"spec"`
		} `yaml:"template"`
		Ports []struct {
			TargetPort string `yaml:"targetPort"`
		} `yaml:"ports"`
	} `yaml:"spec"`
}

func loadK8s(t *testing.T) []k8sObject {
	t.Helper()
	files, err := filepath.Glob(deployPath("kubernetes", "*.yaml"))
	require.NoError(t, err)
	var objs []k8sObject
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		dec := yaml.NewDecoder(bytes.NewReader(data))
		for {
			var o k8sObject
			err := dec.Decode(&o)
			if errors.Is(err, io.EOF) {
				break
			}
			require.NoError(t, err, f)
			if o.Kind != "" {
				objs = append(objs, o)
			}
		}
	}
	return objs
}

func TestKubernetesManifests(t *testing.T) {
	objs := loadK8s(t)
	kinds := map[string]int{}
	var configMap k8sObject
	for _, o := range objs {
		kinds[o.Kind]++
		if o.Kind == "ConfigMap" {
			configMap = o
		}
	}
	for _, k := range []string{"Deployment", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget", "ConfigMap"} {
		assert.Positive(t, kinds[k], "a %s", k)
	}
	// The ConfigMap is generated from config/: it must not drift (make k8s-configmaps).
	for key, text := range configMap.Data {
		want, err := os.ReadFile(filepath.Join(suite.repoRoot, "config", key))
		require.NoError(t, err)
		assert.Equal(t, string(want), text, "deploy/kubernetes/configmaps.yaml is stale: run make k8s-configmaps")
	}
	imageEnv := dockerfileEnv(t)
	for _, o := range objs {
		if o.Kind == "Deployment" {
			t.Run(o.Metadata.Name, func(t *testing.T) { checkDeployment(t, o, configMap, imageEnv) })
		}
	}
	checkServiceTargets(t, objs)
}

// checkDeployment checks that a Deployment runs a pinned image with probes
// and resources, on a config from the ConfigMap that reads every variable
// it sets and that the collector validates.
func checkDeployment(t *testing.T, o, configMap k8sObject, imageEnv map[string]string) {
	c := o.Spec.Template.Spec.Containers[0]
	assert.Regexp(t, pinnedImage, c.Image)
	assert.NotEmpty(t, c.ReadinessProbe)
	assert.NotEmpty(t, c.LivenessProbe)
	assert.NotEmpty(t, c.Resources["requests"])
	assert.NotEmpty(t, c.Resources["limits"])
	ports := map[string]int{}
	for _, p := range c.Ports {
		ports[p.Name] = p.ContainerPort
	}
	assert.Equal(t, port(imageEnv["HEALTH_ENDPOINT"]), strconv.Itoa(ports["health"]), "probes use the health endpoint's port")
	require.Len(t, c.Args, 2)
	key := filepath.Base(c.Args[1])
	require.Contains(t, configMap.Data, key, "the config the container runs is in the ConfigMap")
	vars := map[string]string{}
	maps.Copy(vars, imageEnv)
	vars["GEOIP_CITY_IPV4_MMDB"], vars["GEOIP_CITY_IPV6_MMDB"] = suite.geoIPv4, suite.geoIPv6
	cfg := filepath.Join(suite.repoRoot, "config", key)
	for _, e := range c.Env {
		vars[e.Name] = e.Value
		assert.True(t, configsRead(t, []string{"--config", cfg}, e.Name), "%s sets %s, which its config does not read", o.Metadata.Name, e.Name)
	}
	out, err := runBinaryEnv(t, vars, "validate", "--config", cfg)
	require.NoError(t, err, out)
	if o.Metadata.Name == "agent" {
		for _, p := range []string{"OTLP_GRPC_ENDPOINT", "OTLP_HTTP_ENDPOINT", "EVENTS_ENDPOINT"} {
			assert.Contains(t, containerPorts(ports), port(imageEnv[p]), "%s's port is a container port", p)
		}
	}
}

// checkServiceTargets checks that Services target named container ports
// that exist.
func checkServiceTargets(t *testing.T, objs []k8sObject) {
	names := map[string]bool{}
	for _, o := range objs {
		if o.Kind == "Deployment" {
			for _, p := range o.Spec.Template.Spec.Containers[0].Ports {
				names[p.Name] = true
			}
		}
	}
	for _, o := range objs {
		if o.Kind == "Service" {
			for _, p := range o.Spec.Ports {
				assert.True(t, names[p.TargetPort], "service %s targets unknown port %s", o.Metadata.Name, p.TargetPort)
			}
		}
	}
}

func containerPorts(ports map[string]int) []string {
	var out []string
	for _, p := range ports {
		out = append(out, strconv.Itoa(p))
	}
	sort.Strings(out)
	return out
}
