package component

import (
	"fmt"
	"strings"
)

// The PowerShell of the cache component. Only the tables at the top of
// each script vary (image and registry literals from PSQuote, numbers and
// booleans from Go); the rest is fixed text. Windows PowerShell 5.1 runs
// it, so it uses Start-Job rather than ForEach-Object -Parallel.
//
// Secrets: an ECR password exists only in $passwords, $password and the
// job's $Password parameter. It reaches docker on stdin and ctr as
// --user "AWS:$Password" (ctr has no other way to take it); it is never
// written to output, and ctr's own output is only printed on failure.

// ecrLogin fetches one ECR password per registry through the instance
// role. Get-ECRAuthorizationToken returns base64("AWS:<password>").
const ecrLogin = `if ($ecr.Count -gt 0 -and -not (Get-Command Get-ECRAuthorizationToken -ErrorAction SilentlyContinue)) {
    Write-Output 'Get-ECRAuthorizationToken is missing: install AWS Tools for PowerShell (AWS.Tools.ECR) on the build image'
    exit 1
}
$passwords = @{}
foreach ($r in $ecr) {
    $token = (Get-ECRAuthorizationToken -Region $r.Region -RegistryId $r.Account).AuthorizationToken
    $passwords[$r.Registry] = [System.Text.Encoding]::UTF8.GetString([System.Convert]::FromBase64String($token)).Split(':', 2)[1]
    Remove-Variable token
    Write-Output ('obtained an ECR token for ' + $r.Registry)
}`

// pullJob pulls one image with retries. Failures that retrying cannot fix
// (no such image, no access, no matching platform) fail at once; others
// (network, registry throttling, 5xx) are retried with exponential
// backoff: 15, 30, 60, 120 s.
const pullJob = `$pull = {
    param([string]$Ref, [string]$Pull, [string]$Password, [bool]$Pin, [string]$Runtime)
    # Native tools write progress to stderr, which 'Stop' would turn into
    # a terminating error in Windows PowerShell: exit codes decide here.
    $ErrorActionPreference = 'Continue'
    $ctr = "$env:ProgramFiles\containerd\ctr.exe"
    $maxAttempts = 5
    for ($attempt = 1; ; $attempt++) {
        if ($Runtime -eq 'docker') {
            $out = & docker pull $Pull 2>&1
        } elseif ($Password) {
            $out = & $ctr -n k8s.io images pull --user "AWS:$Password" $Pull 2>&1
        } else {
            $out = & $ctr -n k8s.io images pull $Pull 2>&1
        }
        if ($LASTEXITCODE -eq 0) { break }
        $text = ($out | Select-Object -Last 20 | Out-String).Trim()
        $permanent = $text -match 'not found|unauthorized|denied|forbidden|no match for platform|invalid reference'
        if ($permanent -or $attempt -ge $maxAttempts) {
            throw ('pulling ' + $Pull + ' failed after ' + $attempt + ' attempt(s): ' + $text)
        }
        $delay = 15 * [Math]::Pow(2, $attempt - 1)
        Write-Output ('pulling ' + $Pull + ' failed (attempt ' + $attempt + ' of ' + $maxAttempts + '), retrying in ' + $delay + ' s: ' + $text)
        Start-Sleep -Seconds $delay
    }
    Write-Output ('pulled ' + $Pull + ' (attempt ' + $attempt + ')')
    # Pulled by digest: give it the name pods use, so kubelet finds it.
    if ($Pull -cne $Ref) {
        if ($Runtime -eq 'docker') {
            $out = & docker tag $Pull $Ref 2>&1
        } else {
            $out = & $ctr -n k8s.io images tag --force $Pull $Ref 2>&1
        }
        if ($LASTEXITCODE -ne 0) { throw ('tagging ' + $Pull + ' as ' + $Ref + ' failed: ' + ($out | Out-String).Trim()) }
        Write-Output ('tagged ' + $Pull + ' as ' + $Ref)
    }
    if ($Pin) {
        $names = @($Ref)
        if ($Pull -cne $Ref) { $names += $Pull }
        foreach ($name in $names) {
            $out = & $ctr -n k8s.io images label $name io.cri-containerd.pinned=pinned 2>&1
            if ($LASTEXITCODE -ne 0) { throw ('pinning ' + $name + ' failed: ' + ($out | Out-String).Trim()) }
            Write-Output ('pinned ' + $name)
        }
    }
}`

// runJobs starts the pulls, never more than $maxParallel at once, then
// collects every job's output and fails the step if any pull failed.
const runJobs = `$jobs = @()
$refOf = @{}
try {
    foreach ($image in $images) {
        while ($true) {
            $running = @($jobs | Where-Object { $_.State -eq 'Running' -or $_.State -eq 'NotStarted' })
            if ($running.Count -lt $maxParallel) { break }
            Wait-Job -Job $running -Any | Out-Null
        }
        $password = ''
        if ($image.Registry -and $passwords.ContainsKey($image.Registry)) { $password = $passwords[$image.Registry] }
        $job = Start-Job -ScriptBlock $pull -ArgumentList $image.Ref, $image.Pull, $password, $pin, $runtime
        $refOf[$job.Id] = $image.Ref
        $jobs += $job
        Write-Output ('started pulling ' + $image.Pull)
    }
    $failed = @()
    foreach ($job in $jobs) {
        Wait-Job -Job $job | Out-Null
        Receive-Job -Job $job -ErrorAction Continue
        if ($job.State -ne 'Completed') { $failed += $refOf[$job.Id] }
        Remove-Job -Job $job -Force
    }
} finally {
    $password = $null
    $passwords.Clear()
    CLEANUP
}
if ($failed.Count -gt 0) {
    Write-Output ('failed to cache ' + $failed.Count + ' image(s): ' + ($failed -join ', '))
    exit 1
}
Write-Output ('cached ' + $images.Count + ' image(s)')`

// dockerLogin logs docker in to each ECR registry, the password on stdin.
// docker warns on stderr, which 'Stop' would make fatal in Windows
// PowerShell: its exit code decides.
const dockerLogin = `$ErrorActionPreference = 'Continue'
foreach ($r in $ecr) {
    $passwords[$r.Registry] | docker login --username AWS --password-stdin $r.Registry | Out-Null
    if ($LASTEXITCODE -ne 0) {
        Write-Output ('docker login to ' + $r.Registry + ' failed')
        foreach ($l in $ecr) { docker logout $l.Registry | Out-Null }
        exit 1
    }
}
$ErrorActionPreference = 'Stop'
# docker keeps the login; the pull jobs need no password.
$passwords.Clear()`

// dockerLogout removes the stored credentials so the AMI does not carry them.
const dockerLogout = `$ErrorActionPreference = 'Continue'
    foreach ($r in $ecr) { docker logout $r.Registry | Out-Null }`

func scriptHeader(images []cacheImage, registries []ecrRegistry, o CacheOptions) []string {
	lines := []string{
		"$ErrorActionPreference = 'Stop'",
		"$ProgressPreference = 'SilentlyContinue'",
		fmt.Sprintf("$maxParallel = %d", o.ParallelPulls),
		fmt.Sprintf("$pin = %s", psBool(o.Pin)),
		fmt.Sprintf("$runtime = %s", PSQuote(o.Runtime)),
	}
	lines = append(lines, imageTable(images)...)
	return append(lines, ecrTable(registries)...)
}

func containerdBuildScript(images []cacheImage, registries []ecrRegistry, o CacheOptions) []string {
	lines := scriptHeader(images, registries, o)
	for _, part := range []string{ecrLogin, pullJob, strings.Replace(runJobs, "    CLEANUP\n", "", 1)} {
		lines = append(lines, "")
		lines = append(lines, strings.Split(part, "\n")...)
	}
	return lines
}

func dockerBuildScript(images []cacheImage, registries []ecrRegistry, o CacheOptions) []string {
	lines := scriptHeader(images, registries, o)
	run := strings.Replace(runJobs, "CLEANUP", dockerLogout, 1)
	for _, part := range []string{ecrLogin, dockerLogin, pullJob, run} {
		lines = append(lines, "")
		lines = append(lines, strings.Split(part, "\n")...)
	}
	return lines
}

// containerdVerifyScript checks that every image is in the k8s.io
// namespace under its name, at its pinned digest when it has one (and,
// with pin, carries the pinned label).
func containerdVerifyScript(images []cacheImage, pin bool) []string {
	return strings.Split(fmt.Sprintf(`$ErrorActionPreference = 'Continue'
$expected = %s
$pin = %s
$ctr = "$env:ProgramFiles\containerd\ctr.exe"
# ctr images ls: REF TYPE DIGEST SIZE PLATFORMS LABELS
$listing = @(& $ctr -n k8s.io images ls | Select-Object -Skip 1 | ForEach-Object { ,($_ -split '\s+') })
if ($LASTEXITCODE -ne 0) {
    Write-Output 'listing the images of the k8s.io namespace failed'
    exit 1
}
$problems = @()
foreach ($e in $expected) {
    $row = $listing | Where-Object { $_[0] -ceq $e.Ref } | Select-Object -First 1
    if (-not $row) { $problems += ('missing: ' + $e.Ref); continue }
    if ($e.Digest -and $row[2] -cne $e.Digest) { $problems += ($e.Ref + ' is ' + $row[2] + ', expected ' + $e.Digest) }
    if ($pin -and ($row -join ' ') -notmatch 'io\.cri-containerd\.pinned=pinned') { $problems += ('not pinned: ' + $e.Ref) }
}
if ($problems.Count -gt 0) {
    Write-Output ('the k8s.io namespace does not hold the cache: ' + ($problems -join '; '))
    exit 1
}
Write-Output ('all ' + $expected.Count + ' image(s) are in the k8s.io namespace')`, expectedTable(images), psBool(pin)), "\n")
}

// dockerVerifyScript asks docker for each image by its full reference:
// "docker images" lists docker.io images under short names
// (docker.io/library/busybox is "busybox"), which "image inspect" resolves.
// A pinned image's name must point where its digest does.
func dockerVerifyScript(images []cacheImage) []string {
	return strings.Split(fmt.Sprintf(`$ErrorActionPreference = 'Continue'
$expected = %s
$problems = @()
foreach ($e in $expected) {
    $info = & docker image inspect $e.Ref 2>$null
    if ($LASTEXITCODE -ne 0) { $problems += ('missing: ' + $e.Ref); continue }
    if ($e.Digest) {
        $pinnedInfo = & docker image inspect $e.Pull 2>$null
        $same = $LASTEXITCODE -eq 0 -and ((($info | Out-String) | ConvertFrom-Json)[0].Id -ceq (($pinnedInfo | Out-String) | ConvertFrom-Json)[0].Id)
        if (-not $same) { $problems += ($e.Ref + ' is not ' + $e.Pull) }
    }
}
if ($problems.Count -gt 0) {
    Write-Output ('docker does not hold the cache: ' + ($problems -join '; '))
    exit 1
}
Write-Output ('all ' + $expected.Count + ' image(s) are in docker')`, expectedTable(images)), "\n")
}
