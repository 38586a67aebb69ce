/// The inventory server.
