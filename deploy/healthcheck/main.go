// Command healthcheck is the container image's health probe: it GETs the
// collector's health_check endpoint and exits 0 when it answers 200. The
// runtime image has no shell or curl, so the probe is this static binary.
//
//	healthcheck [URL]   (default http://127.0.0.1:13133/)
package main

import (
	"fmt"
	"net/http"
	"os"
	"time"
)

func main() {
	url := "http://127.0.0.1:13133/"
	if len(os.Args) > 1 {
		url = os.Args[1]
	}
	client := http.Client{Timeout: 3 * time.Second}
	resp, err := client.Get(url) //nolint:gosec // G704: the URL is the container's own health endpoint, from HEALTHCHECK
	if err != nil {
		fmt.Fprintln(os.Stderr, "unhealthy:", err)
		os.Exit(1)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintln(os.Stderr, "unhealthy:", resp.Status)
		os.Exit(1)
	}
}
