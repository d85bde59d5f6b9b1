// A real devp2p node for tests: @ethereumjs/devp2p's DPT (discv4 over UDP) and RLPx server (TCP),
// with a known node key, on loopback.
import { Common, Mainnet } from '@ethereumjs/common';
import { DPT, ETH, RLPx } from '@ethereumjs/devp2p';
import { newNodeKey, nodeIdOf } from '../../src/probers/discv4-packet.js';

export interface Devp2pNode {
  nodeId: string;
  udpPort: number;
  tcpPort: number;
  stop(): void;
}

export async function startDevp2pNode(udpPort: number, tcpPort: number): Promise<Devp2pNode> {
  const key = newNodeKey();
  const dpt = new DPT(key, {
    endpoint: { address: '127.0.0.1', udpPort, tcpPort },
    shouldFindNeighbours: false, shouldGetDnsPeers: false, refreshInterval: 3_600_000,
  });
  dpt.events.on('error', () => undefined);
  dpt.bind(udpPort, '127.0.0.1');
  const common = new Common({ chain: Mainnet });
  const rlpx = new RLPx(key, { dpt: null, maxPeers: 5, capabilities: [ETH.eth68], common, listenPort: tcpPort });
  rlpx.events.on('error', () => undefined);
  rlpx.listen(tcpPort, '127.0.0.1');
  await new Promise((r) => setTimeout(r, 100));
  return {
    nodeId: nodeIdOf(key),
    udpPort,
    tcpPort,
    stop() {
      dpt.destroy();
      rlpx.destroy();
    },
  };
}
