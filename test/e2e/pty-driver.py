# Drives an interactive command through a pseudo-terminal: sends each line of the JSON list in
# argv[2] after the previous output settles, then prints everything the terminal showed and the
# exit code. Used by the exec e2e tests (real `kubectl exec -it` needs a terminal on stdin).
import json, os, pty, select, sys, time

cmd = json.loads(sys.argv[1])
steps = json.loads(sys.argv[2])
pid, fd = pty.fork()
if pid == 0:
    os.execvpe(cmd[0], cmd, os.environ)
out = b''

def read_for(seconds, until=None):
    global out
    start = len(out)
    end = time.time() + seconds
    while time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.05)
        if r:
            try:
                data = os.read(fd, 4096)
            except OSError:
                return False
            if not data:
                return False
            out += data
            if until and until.encode() in out[start:]:
                return True
    return True

for step in steps:
    if 'send' in step:
        os.write(fd, step['send'].encode())
    if not read_for(step.get('seconds', 10), until=step.get('until')):
        break
code = None
deadline = time.time() + 10
while code is None and time.time() < deadline:
    done, status = os.waitpid(pid, os.WNOHANG)
    if done:
        code = os.waitstatus_to_exitcode(status)
    else:
        read_for(0.1)
if code is None:
    os.kill(pid, 9)
    os.waitpid(pid, 0)
sys.stdout.write(json.dumps({'output': out.decode('utf-8', 'replace'), 'code': code}))
