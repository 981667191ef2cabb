// peer.mjs - a js-libp2p 2.x peer for tests/e2e/p2p_interop.sh. It listens on
// 127.0.0.1, prints "LISTEN <multiaddr>", waits for a NeuroMesh node to dial
// it (argv[3] = that node's PeerId), checks what identify told about it,
// then dials the node at argv[2] itself and pings it, and asks it over
// Kademlia (FIND_NODE) where the node argv[4] is, then dials that one too;
// gossipsub: it waits for a NeuroMesh status announcement on the seed's
// announcements topic and publishes one of its own there, then one that
// is not a status (to be scored down for it, not banned).
// Each check prints
// "PASS: ..." or "FAIL: ..."; then it stays up (answering pings) until
// killed, so the shell can look at the NeuroMesh side.
import './polyfill.mjs'
import { createLibp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { kadDHT, passthroughMapper } from '@libp2p/kad-dht'
import { gossipsub } from '@chainsafe/libp2p-gossipsub'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'

const [dialTarget, expectDialer, thirdId] = process.argv.slice(2)
const say = (ok, what) => console.log(`${ok ? 'PASS' : 'FAIL'}: js-libp2p: ${what}`)
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

const node = await createLibp2p({
  addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
  transports: [tcp()],
  connectionEncrypters: [noise()],
  streamMuxers: [yamux()],
  services: {
    identify: identify(),
    ping: ping(),
    // loopback addresses: keep them (the default mapper drops private ones)
    dht: kadDHT({ clientMode: true, peerInfoMapper: passthroughMapper }),
    pubsub: gossipsub({ allowPublishToZeroTopicPeers: true }),
  },
})
const TOPIC = '/neuromesh/1.0.0/global/announcements'
const statuses = []
node.services.pubsub.subscribe(TOPIC)
node.services.pubsub.addEventListener('message', (evt) => {
  if (evt.detail.topic !== TOPIC) return
  try {
    statuses.push({ from: evt.detail.from?.toString(), status: JSON.parse(new TextDecoder().decode(evt.detail.data)) })
  } catch { statuses.push({ from: '?', status: null }) }
})
console.log(`LISTEN ${node.getMultiaddrs()[0].toString()}`)

async function peerInfo (id) {
  try { return await node.peerStore.get(id) } catch { return null }
}

// 1. our node dials js: wait for it, then for identify to land
let inbound = null
for (let i = 0; i < 150 && !inbound; i++) {
  inbound = node.getConnections().find((c) => c.remotePeer.toString() === expectDialer)
  if (!inbound) await sleep(100)
}
say(inbound !== undefined && inbound !== null, `NeuroMesh dialed us (Noise + yamux) as ${expectDialer}`)
let info = null
for (let i = 0; i < 100; i++) { // until identify has landed (its agent is there)
  info = inbound ? await peerInfo(inbound.remotePeer) : null
  if (info && info.metadata.get('AgentVersion')) break
  await sleep(100)
}
const agent = info ? new TextDecoder().decode(info.metadata.get('AgentVersion') ?? new Uint8Array()) : ''
say(agent.startsWith('neuromesh/'), `identify agent of the dialer is "${agent}"`)
say(info && info.protocols.includes('/ipfs/ping/1.0.0') && info.protocols.includes('/ipfs/id/1.0.0'),
  `identify protocols of the dialer: ${info ? info.protocols.join(' ') : '(none)'}`)

// 2. js dials the other NeuroMesh node and pings it
const target = multiaddr(dialTarget)
try {
  const conn = await node.dial(target)
  say(conn.remotePeer.toString() === target.getPeerId(), `dialed NeuroMesh ${conn.remotePeer}`)
  const rtts = []
  for (let i = 0; i < 5; i++) rtts.push(await node.services.ping.ping(target))
  say(rtts.every((r) => r >= 0), `ping RTT over /ipfs/ping/1.0.0: ${rtts.join(', ')} ms`)
  let listened = null
  for (let i = 0; i < 50; i++) {
    listened = await peerInfo(conn.remotePeer)
    if (listened && listened.addresses.length) break
    await sleep(100)
  }
  const addrs = listened ? listened.addresses.map((a) => a.multiaddr.toString()) : []
  say(addrs.some((a) => target.toString().startsWith(a)), `identify listen addresses: ${addrs.join(' ')}`)
} catch (err) {
  say(false, `dial/ping NeuroMesh: ${err.message}`)
}

// 3. Kademlia: the node we dialed knows a third NeuroMesh node; find it
if (thirdId) {
  try {
    await sleep(500) // identify puts the dialed node in the DHT routing table
    const found = await node.peerRouting.findPeer(peerIdFromString(thirdId),
      { signal: AbortSignal.timeout(10000) })
    const addrs = found.multiaddrs.map((a) => a.toString())
    say(addrs.some((a) => a.startsWith('/ip4/127.0.0.1/tcp/')),
      `Kademlia FIND_NODE found the third node at ${addrs.join(' ')}`)
    const conn = await node.dial(found.multiaddrs[0].encapsulate(`/p2p/${thirdId}`))
    say(conn.remotePeer.toString() === thirdId, 'dialed the node Kademlia found')
  } catch (err) {
    say(false, `Kademlia FIND_NODE for the third node: ${err.message}`)
  }
}
// 4. gossipsub: a NeuroMesh status arrives (signed, StrictSign); we publish ours
for (let i = 0; i < 150 && !statuses.some((m) => m.status && m.status.genesis); i++) await sleep(100)
const st = statuses.find((m) => m.status && m.status.genesis)
say(st !== undefined, st ? `gossipsub status from ${st.from}: best #${st.status.best}, ` +
  `roles ${st.status.roles}, version ${st.status.version}` : 'no NeuroMesh status on ' + TOPIC)
try {
  const res = await node.services.pubsub.publish(TOPIC,
    new TextEncoder().encode(JSON.stringify({ hello: 'from js-libp2p', peerId: node.peerId.toString() })))
  say(res.recipients.length > 0, `published on ${TOPIC} to ${res.recipients.length} NeuroMesh peers`)
} catch (err) {
  say(false, `gossipsub publish: ${err.message}`)
}
// 5. an invalid message (not a status: not JSON), signed all the same: the
// NeuroMesh node scores us down (gossipsub v1.1, P4) and stays connected
try {
  const res = await node.services.pubsub.publish(TOPIC, new TextEncoder().encode('not a status'))
  say(res.recipients.length > 0, `published an invalid message to ${res.recipients.length} peers`)
} catch (err) {
  say(false, `gossipsub publish of the invalid message: ${err.message}`)
}
console.log(`JSID ${node.peerId.toString()}`)
console.log('CHECKS DONE')
process.on('SIGTERM', async () => { await node.stop(); process.exit(0) })
setTimeout(() => process.exit(0), 120000) // never outlive a forgotten test
