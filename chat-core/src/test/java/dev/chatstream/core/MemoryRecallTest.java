package dev.chatstream.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MemoryRecallTest {

    @ParameterizedTest
    @ValueSource(strings = {
            "Lembras-te do meu aniversário?",
            "lembras te do meu aniversario",
            "Lembra-te que amanhã tenho dentista",
            "Ainda te lembras do nome do meu cão?",
            "Qual é o meu prato preferido?",
            "Onde deixei a minha bicicleta da última vez?",
            "O que sabes sobre mim?",
            "Já te disse que sou vegetariano?",
            "Recordas-me o que combinámos?",
            "Põe a sala como sempre",
            "Esqueci-me da senha do wifi, disse-te ontem",
            "Quando faz anos a minha mãe?",
            "Liga o meu ar condicionado",
            "Do you remember my birthday?",
            "remember that I like jazz",
            "What's my name?",
            "Last time you told me about a recipe",
            "What did I say about my wife's allergy?",
            "I told you my favourite colour",
            "Recall what we planned for the weekend",
            "What do you know about me?",
            "Set the living room the usual way",
            "When is our anniversary?",
            "Did I forget to tell you about my dog?",
            "How old is my daughter again?",
            "Play my favorite playlist",
    })
    void shouldLookUpMemoriesForMessagesAboutTheUsersPast(String message) {
        assertThat(MemoryRecall.needsMemories(message)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "que horas são?",
            "Que horas são agora?",
            "Liga a luz da cozinha",
            "Desliga tudo",
            "Está frio lá fora?",
            "Conta-me uma anedota",
            "Qual é a capital da Austrália?",
            "Põe o ar condicionado a 22 graus",
            "Olá, bom dia!",
            "what time is it?",
            "Turn off the kitchen lights",
            "What's the weather like tomorrow?",
            "Tell me a joke",
            "How do I boil an egg?",
            "Good night",
            "Open the garage door",
    })
    void shouldNotLookUpMemoriesForOtherMessages(String message) {
        assertThat(MemoryRecall.needsMemories(message)).isFalse();
    }

    @Test
    void shouldFoldCaseAccentsAndPunctuation() {
        assertThat(MemoryRecall.normalise("Lembras-te do meu ANIVERSÁRIO?!"))
                .isEqualTo("lembras te do meu aniversario");
    }
}
