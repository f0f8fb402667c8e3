package io.jenkins.plugins.openstackagents;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Plays a floating IP's NAT: listens on one loopback address and passes each connection on to the same port of
 * another (a guest's fixed address), so whatever listens there (the guest's SSH daemon, its host key, its
 * authorized keys) answers on both. Closing it stops listening and drops the connections made through it, as
 * releasing the floating IP would. Test code; 127.0.0.0/8 only.
 */
final class TcpForward implements AutoCloseable {

    private final String from;
    private final String to;
    private final int port;
    private final ServerSocket listener;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    TcpForward(String from, String to, int port) throws IOException {
        if (!from.startsWith("127.") || !to.startsWith("127.")) {
            throw new IOException("test forwards stay on 127.0.0.0/8, not " + from + " -> " + to);
        }
        this.from = from;
        this.to = to;
        this.port = port;
        listener = new ServerSocket();
        listener.setReuseAddress(true);
        listener.bind(new InetSocketAddress(InetAddress.getByName(from), port));
        Thread t = new Thread(this::accept, "tcp-forward-" + from + ":" + port);
        t.setDaemon(true);
        t.start();
    }

    /**
     * Whether some process of this machine listens on TCP {@code address:port} (IPv4), as /proc/net/tcp and tcp6 say
     * (Java's sockets are IPv6 ones, bound to the IPv4-mapped address). Asks nothing of the listener.
     */
    static boolean listening(String address, int port) {
        byte[] a;
        try {
            a = InetAddress.getByName(address).getAddress();
        } catch (IOException e) {
            return false;
        }
        // "sl local_address rem_address st ...": the address as 32-bit words in host (little-endian) order, LISTEN 0A
        String v4 = String.format(Locale.ROOT, "%02X%02X%02X%02X:%04X", a[3], a[2], a[1], a[0], port);
        String mapped = "0000000000000000FFFF0000" + v4;
        for (String file : new String[] {"/proc/net/tcp", "/proc/net/tcp6"}) {
            try {
                for (String line : Files.readAllLines(Path.of(file))) {
                    String[] f = line.trim().split("\\s+");
                    if (f.length > 3 && (f[1].equals(v4) || f[1].equals(mapped)) && f[3].equals("0A")) {
                        return true;
                    }
                }
            } catch (IOException e) {
                // no such file: no IPv6
            }
        }
        return false;
    }

    String from() {
        return from;
    }

    String to() {
        return to;
    }

    private void accept() {
        while (!closed) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                return; // closed
            }
            sockets.add(client);
            try {
                Socket server = new Socket();
                sockets.add(server);
                server.connect(new InetSocketAddress(InetAddress.getByName(to), port), 5000);
                client.setTcpNoDelay(true);
                server.setTcpNoDelay(true);
                pump(client, server);
                pump(server, client);
            } catch (IOException e) {
                quietly(client); // as the guest would: nothing listens behind the floating address
            }
        }
    }

    private void pump(Socket in, Socket out) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[16384];
            try (InputStream i = in.getInputStream(); OutputStream o = out.getOutputStream()) {
                int n;
                while ((n = i.read(buf)) >= 0) {
                    o.write(buf, 0, n);
                    o.flush();
                }
            } catch (IOException e) {
                // one side ended
            } finally {
                quietly(in);
                quietly(out);
            }
        }, "tcp-forward-pump");
        t.setDaemon(true);
        t.start();
    }

    private void quietly(Socket s) {
        sockets.remove(s);
        try {
            s.close();
        } catch (IOException e) {
            // closed anyway
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            listener.close();
        } catch (IOException e) {
            // closed anyway
        }
        for (Socket s : sockets) {
            quietly(s);
        }
    }

    @Override
    public String toString() {
        return from + ":" + port + " -> " + to + ":" + port;
    }
}
