package dev.chatstream.core;

class InMemoryActionTicketsTest extends ActionTicketsContract {
    private final InMemoryActionTickets tickets = new InMemoryActionTickets();

    @Override
    protected ActionTickets tickets() {
        return tickets;
    }
}
