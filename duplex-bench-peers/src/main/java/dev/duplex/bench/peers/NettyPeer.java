package dev.duplex.bench.peers;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * Netty 4.2 as a peer: {@code /echo} and {@code /broadcast} on
 * {@link WebSocketServerProtocolHandler}, configured as Netty's documentation and examples
 * recommend for throughput:
 * <ul>
 *   <li>the native <b>epoll</b> transport ({@link EpollIoHandler}, {@link EpollServerSocketChannel})
 *       when {@link Epoll#isAvailable()}, NIO otherwise; one event loop per core (Netty's default
 *       is two per core, which on the 2-core bench machine only adds context switches);</li>
 *   <li>the pooled direct {@link PooledByteBufAllocator}, {@code TCP_NODELAY}, a 1024 backlog;</li>
 *   <li>no compression: no {@code WebSocketServerCompressionHandler} in the pipeline and
 *       extensions refused by the decoder;</li>
 *   <li>16 MiB frames ({@code maxFramePayloadLength}) and a {@link WebSocketFrameAggregator} of
 *       16 MiB so fragmented messages arrive whole, like in every other peer;</li>
 *   <li>no idle timeout: no {@code IdleStateHandler}; close and ping frames are answered by the
 *       protocol handler;</li>
 *   <li>echo writes the received frame itself back (no copy) and flushes once per read batch in
 *       {@code channelReadComplete}, Netty's write/flush batching idiom; broadcast writes one
 *       {@code retainedDuplicate()} of the frame per channel of a {@link ChannelGroup} (the bytes
 *       are shared, not copied) and flushes each.</li>
 * </ul>
 * The path is checked before the upgrade: any other path is answered 404.
 */
public final class NettyPeer implements RunningPeer {
    private final EventLoopGroup bossGroup;
    private final EventLoopGroup workerGroup;
    private final Channel serverChannel;
    private final ChannelGroup broadcastGroup;
    private final int port;

    private NettyPeer(EventLoopGroup boss, EventLoopGroup workers, Channel server, ChannelGroup group) {
        this.bossGroup = boss;
        this.workerGroup = workers;
        this.serverChannel = server;
        this.broadcastGroup = group;
        this.port = ((InetSocketAddress) server.localAddress()).getPort();
    }

    public static void main(String[] args) {
        PeerOptions.run(args, NettyPeer::start);
    }

    /** Whether the native epoll transport is in use. */
    public static boolean epoll() {
        return Epoll.isAvailable();
    }

    public static NettyPeer start(PeerOptions options) {
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        Class<? extends ServerChannel> channelType = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, io);
        EventLoopGroup workers = new MultiThreadIoEventLoopGroup(Runtime.getRuntime().availableProcessors(), io);
        ChannelGroup group = new DefaultChannelGroup("broadcast", GlobalEventExecutor.INSTANCE);
        try {
            Channel server = new ServerBootstrap()
                    .group(boss, workers)
                    .channel(channelType)
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(
                                    new HttpServerCodec(),
                                    new HttpObjectAggregator(64 * 1024),
                                    new Router(group));
                        }
                    })
                    .bind(options.host(), options.port())
                    .sync()
                    .channel();
            return new NettyPeer(boss, workers, server, group);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw new IllegalStateException("interrupted while binding", e);
        } catch (RuntimeException e) {
            boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public void close() {
        serverChannel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        broadcastGroup.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        bossGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        workerGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        bossGroup.terminationFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
        workerGroup.terminationFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    private static WebSocketServerProtocolConfig protocolConfig(String path) {
        return WebSocketServerProtocolConfig.newBuilder()
                .websocketPath(path)
                .checkStartsWith(false)
                .handleCloseFrames(true)
                .dropPongFrames(true)
                .decoderConfig(WebSocketDecoderConfig.newBuilder()
                        .maxFramePayloadLength(PeerOptions.MAX_MESSAGE_BYTES)
                        .allowExtensions(false)
                        .build())
                .build();
    }

    /** Routes the upgrade request by path: installs the WebSocket handlers, or answers 404. */
    private static final class Router extends ChannelInboundHandlerAdapter {
        private final ChannelGroup group;

        Router(ChannelGroup group) {
            this.group = group;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof FullHttpRequest request)) {
                ctx.fireChannelRead(msg);
                return;
            }
            String uri = request.uri();
            int q = uri.indexOf('?');
            String path = q < 0 ? uri : uri.substring(0, q);
            ChannelHandler handler = switch (path) {
                case "/echo" -> Echo.INSTANCE;
                case "/broadcast" -> new Broadcast(group);
                default -> null;
            };
            if (handler == null) {
                request.release();
                DefaultFullHttpResponse notFound = new DefaultFullHttpResponse(
                        HttpVersion.HTTP_1_1, HttpResponseStatus.NOT_FOUND, Unpooled.EMPTY_BUFFER);
                notFound.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0);
                ctx.writeAndFlush(notFound).addListener(ChannelFutureListener.CLOSE);
                return;
            }
            ChannelPipeline p = ctx.pipeline();
            p.addLast(new WebSocketServerProtocolHandler(protocolConfig(path)),
                    new WebSocketFrameAggregator(PeerOptions.MAX_MESSAGE_BYTES),
                    handler);
            p.remove(this);
            ctx.fireChannelRead(request);
        }
    }

    /** Writes every message back (the same frame object, no copy); one flush per read batch. */
    @ChannelHandler.Sharable
    private static final class Echo extends ChannelInboundHandlerAdapter {
        static final Echo INSTANCE = new Echo();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof TextWebSocketFrame || msg instanceof BinaryWebSocketFrame) {
                ctx.write(msg, ctx.voidPromise());
            } else {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }
    }

    /** Joins the group once the handshake is done; sends every message to each member. */
    private static final class Broadcast extends ChannelInboundHandlerAdapter {
        private final ChannelGroup group;

        Broadcast(ChannelGroup group) {
            this.group = group;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
                group.add(ctx.channel()); // removed by the group itself when the channel closes
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof TextWebSocketFrame || msg instanceof BinaryWebSocketFrame) {
                WebSocketFrame frame = (WebSocketFrame) msg;
                try {
                    for (Channel member : group) {
                        member.writeAndFlush(frame.retainedDuplicate(), member.voidPromise());
                    }
                } finally {
                    frame.release();
                }
            } else {
                ReferenceCountUtil.release(msg);
            }
        }
    }
}
