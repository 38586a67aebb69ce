/// Network measurement of the home link.
