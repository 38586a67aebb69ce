extension TCPConnection {
    /// The local address and port of the connection: the source the peer sees before any NAT (what a SIP client
    /// writes in its Via and Contact).
    public var localEndpoint: IPEndpoint? { SocketSupport.localEndpoint(fd) }
}
