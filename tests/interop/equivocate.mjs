// equivocate.mjs - TEST ONLY (tests/e2e/bft.sh): makes a BFT authority
// equivocate on the wire. A js-libp2p peer dials the NeuroMesh node at
// argv[2], joins the chain's consensus topic /neuromesh/GENESIS/bft
// (argv[3]: the genesis hash, 0x hex) and, each time it sees a vote of a
// new height H, publishes two precommits of height H+1, round 0, for two
// different made-up blocks, signed with the Ed25519 seed argv[5] (hex) as
// authority index argv[4] (node/bft/message.h's wire vote: signed bytes,
// index u16, signature). Nodes keep them for the next height; there the
// second conflicts with the first and they see the equivocation. A normal
// build cannot sign such a pair: the double-sign record refuses. Prints
// "PUBLISHED H" per pair; exits after argv[6] pairs (default 3) or 20 s.
import './polyfill.mjs'
import { createLibp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { gossipsub } from '@chainsafe/libp2p-gossipsub'
import { multiaddr } from '@multiformats/multiaddr'
import { createPrivateKey, sign } from 'node:crypto'

const [target, genesisHex, indexArg, seedHex, pairsArg] = process.argv.slice(2)
const genesis = Buffer.from(genesisHex.replace(/^0x/, ''), 'hex')
const index = Number(indexArg)
const pairs = Number(pairsArg ?? 3)
// PKCS#8 wrapping of a raw Ed25519 seed (RFC 8410)
const key = createPrivateKey({
  key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), Buffer.from(seedHex, 'hex')]),
  format: 'der',
  type: 'pkcs8',
})
const TOPIC = `/neuromesh/${genesisHex}/bft`
const VOTE_KIND = 2

// domain(8) genesis(32) height u64 round u32 step u8 (2 precommit) kind u8 (1 block) block(32)
function precommit (height, fill) {
  const signed = Buffer.alloc(86)
  Buffer.from('nmbftv1\0', 'latin1').copy(signed, 0)
  genesis.copy(signed, 8)
  signed.writeBigUInt64LE(BigInt(height), 40)
  signed.writeUInt32LE(0, 48)
  signed[52] = 2
  signed[53] = 1
  signed.fill(fill, 54, 86)
  const idx = Buffer.alloc(2)
  idx.writeUInt16LE(index)
  return Buffer.concat([Buffer.from([VOTE_KIND]), signed, idx, sign(null, signed, key)])
}

const node = await createLibp2p({
  addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
  transports: [tcp()],
  connectionEncrypters: [noise()],
  streamMuxers: [yamux()],
  services: { identify: identify(), pubsub: gossipsub({ allowPublishToZeroTopicPeers: true }) },
})
setTimeout(() => { console.log('TIMEOUT'); process.exit(1) }, 20000)
node.services.pubsub.subscribe(TOPIC)
let last = 0n
let sent = 0
let busy = false
node.services.pubsub.addEventListener('message', async (evt) => {
  const d = evt.detail.data
  if (evt.detail.topic !== TOPIC || d.length < 1 + 86 || d[0] !== VOTE_KIND || busy) return
  const h = Buffer.from(d).readBigUInt64LE(1 + 40)
  if (h <= last) return
  last = h
  busy = true
  try {
    await node.services.pubsub.publish(TOPIC, precommit(h + 1n, 0xaa))
    await node.services.pubsub.publish(TOPIC, precommit(h + 1n, 0xbb))
    console.log(`PUBLISHED ${h + 1n}`)
    if (++sent >= pairs) {
      await node.stop()
      process.exit(0)
    }
  } catch (err) {
    console.log(`publish: ${err.message}`)
  } finally {
    busy = false
  }
})
await node.dial(multiaddr(target))
console.log(`DIALED ${target}`)
