#!/usr/bin/env python3
# Writes the subset of k8s.io/cri-api's runtime/v1 api.proto that Skiff's kubelet calls (the RPCs listed in rt and im,
# and every message and enum they reach), without comments.
# Usage: hack/gen-cri-proto.py UPSTREAM/pkg/apis/runtime/v1/api.proto src/Skiff.Cri/Protos/api.proto
import re,sys
src=open(sys.argv[1]).read()
# strip comments
src=re.sub(r'/\*.*?\*/','',src,flags=re.S)
src=re.sub(r'//[^\n]*','',src)
# top-level blocks
blocks={}
i=0
order=[]
pat=re.compile(r'^(message|enum)\s+(\w+)\s*\{',re.M)
for m in pat.finditer(src):
    if m.start()>0 and src[m.start()-1] not in '\n': continue
    depth=0;j=m.end()-1
    while True:
        c=src[j]
        if c=='{':depth+=1
        elif c=='}':
            depth-=1
            if depth==0:break
        j+=1
    blocks[m.group(2)]=src[m.start():j+1]
    order.append(m.group(2))
rt=['Version','RunPodSandbox','StopPodSandbox','RemovePodSandbox','PodSandboxStatus','ListPodSandbox','CreateContainer','StartContainer','StopContainer','RemoveContainer','ListContainers','ContainerStatus','ExecSync','Exec','Attach','PortForward','Status']
im=['ListImages','ImageStatus','PullImage','RemoveImage','ImageFsInfo']
def rpcs(name,wanted):
    body=src[src.index('service '+name):]
    body=body[:body.index('\n}')+2]
    lines=[l.strip() for l in body.splitlines() if l.strip().startswith('rpc ')]
    keep=[l for l in lines if re.match(r'rpc (\w+)\(',l).group(1) in wanted]
    assert len(keep)==len(wanted),(name,keep)
    return 'service %s {\n%s\n}\n'%(name,'\n'.join('    '+l for l in keep))
need=set()
stack=[]
for w in rt+im:
    for l in src.splitlines():
        m=re.match(r'\s*rpc %s\((\w+)\) returns \((?:stream )?(\w+)\)'%w,l)
        if m: stack+= [m.group(1),m.group(2)]
while stack:
    n=stack.pop()
    if n in need or n not in blocks: continue
    need.add(n)
    for t in re.findall(r'\b([A-Z]\w+)\b',blocks[n]):
        if t in blocks and t not in need: stack.append(t)
out=['syntax = "proto3";','','package runtime.v1;','option csharp_namespace = "Skiff.Cri.V1";','',rpcs('RuntimeService',rt),rpcs('ImageService',im)]
for n in order:
    if n in need:
        b=re.sub(r'\n\s*\n','\n',blocks[n])
        out.append(b+'\n')
header='''// The subset of k8s.io/cri-api runtime/v1 (api.proto) that Skiff's kubelet uses: the same package, messages, field\n// numbers and RPCs, without the comments and without the RPCs and messages it does not call. Generate again with\n// hack/gen-cri-proto.py from a checkout of the upstream file when a new field is needed.\n'''
open(sys.argv[2],'w').write(header+'\n'.join(out))
print(len(need), sorted(need))
